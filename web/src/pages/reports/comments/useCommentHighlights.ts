// Comment ranges painted in the read-only view with the CSS Custom Highlight API: the text is
// marked without touching the DOM React renders (wrapping it in <mark> would fight React's own
// nodes). Every open thread's range is one highlight; the thread being looked at is another, stronger.
// A browser without the API still scrolls to and marks the block.
import { useEffect, type RefObject } from "react";
import type { Anchor } from "../api";
import { hasRange, locateRange } from "./anchor";
import { blockText, rangeOf } from "./textRanges";

export const HIGHLIGHT = "report-comment";
export const HIGHLIGHT_ACTIVE = "report-comment-active";

export interface Anchored {
  id: string;
  anchor: Anchor;
}

/** The DOM range an anchor covers in the view under `root` now, or null. */
export function anchorRange(root: Element, anchor: Anchor): Range | null {
  if (!hasRange(anchor)) return null;
  const block = root.querySelector(`[data-block-id="${CSS.escape(anchor.block_id)}"]`);
  if (!block) return null;
  const at = locateRange(blockText(block), anchor);
  return at ? rangeOf(block, at[0], at[1]) : null;
}

/** Paints `threads`' ranges under `root` (re-painted when they, the active one or `content` change). */
export function useCommentHighlights(root: RefObject<Element | null>, threads: readonly Anchored[], active: string | null, content: unknown): void {
  useEffect(() => {
    const el = root.current;
    if (!el || typeof CSS === "undefined" || !("highlights" in CSS)) return;
    const all = new Highlight();
    const on = new Highlight();
    for (const t of threads) {
      const r = anchorRange(el, t.anchor);
      if (r) (t.id === active ? on : all).add(r);
    }
    CSS.highlights.set(HIGHLIGHT, all);
    CSS.highlights.set(HIGHLIGHT_ACTIVE, on);
    return () => {
      CSS.highlights.delete(HIGHLIGHT);
      CSS.highlights.delete(HIGHLIGHT_ACTIVE);
    };
  }, [root, threads, active, content]);
}
