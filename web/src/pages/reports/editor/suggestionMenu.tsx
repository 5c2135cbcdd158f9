// The popup of a TipTap suggestion (the "/" menu, @-mentions): the suggestion plugin pushes its
// state into a small store, and a React list renders it where the caret is. Keys are handled in
// the store, so the editor keeps focus while ↑ ↓ Enter and Escape drive the list.
import { useSyncExternalStore, type ReactNode } from "react";
import type { SuggestionKeyDownProps, SuggestionOptions, SuggestionProps } from "@tiptap/suggestion";

interface MenuState<I> {
  open: boolean;
  items: I[];
  index: number;
  query: string;
  rect: DOMRect | null;
  choose: ((item: I) => void) | null;
}

export class SuggestionStore<I> {
  private state: MenuState<I> = { open: false, items: [], index: 0, query: "", rect: null, choose: null };
  private listeners = new Set<() => void>();
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  get = () => this.state;
  private set(patch: Partial<MenuState<I>>) {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((l) => l());
  }
  pick(i: number) {
    const item = this.state.items[i];
    if (item && this.state.choose) this.state.choose(item);
  }
  private show(p: SuggestionProps<I, I>) {
    const index = p.query === this.state.query ? Math.min(this.state.index, Math.max(0, p.items.length - 1)) : 0;
    this.set({ open: true, items: p.items, index, query: p.query, rect: p.clientRect?.() ?? null, choose: p.command });
  }
  /** The `render` option of a Suggestion. */
  render: SuggestionOptions<I, I>["render"] = () => ({
    onStart: (p) => this.show(p),
    onUpdate: (p) => this.show(p),
    onExit: () => this.set({ open: false, items: [], choose: null, query: "" }),
    onKeyDown: ({ event }: SuggestionKeyDownProps) => {
      if (!this.state.open) return false;
      const n = this.state.items.length;
      if (event.key === "Escape") {
        this.set({ open: false });
        return true;
      }
      if (!n) return false;
      if (event.key === "ArrowDown") this.set({ index: (this.state.index + 1) % n });
      else if (event.key === "ArrowUp") this.set({ index: (this.state.index + n - 1) % n });
      else if (event.key === "Enter" || event.key === "Tab") this.pick(this.state.index);
      else return false;
      return true;
    },
  });
}

export function SuggestionMenu<I>({ store, label, render, empty }: { store: SuggestionStore<I>; label: string; render: (item: I) => ReactNode; empty?: string }) {
  const s = useSyncExternalStore(store.subscribe, store.get);
  if (!s.open || !s.rect) return null;
  return (
    <div className="report-suggest" role="listbox" aria-label={label} style={{ top: s.rect.bottom + 4, left: s.rect.left }}>
      {s.items.length === 0 && <div className="report-suggest-empty muted small">{empty ?? "No match"}</div>}
      {s.items.map((item, i) => (
        <div
          key={i}
          role="option"
          aria-selected={i === s.index}
          className={i === s.index ? "report-suggest-item active" : "report-suggest-item"}
          // mousedown, not click: the editor would lose its selection to a click first
          onMouseDown={(e) => {
            e.preventDefault();
            store.pick(i);
          }}
        >
          {render(item)}
        </div>
      ))}
    </div>
  );
}
