// Comment ranges painted in the editor, as the read-only view paints them (useCommentHighlights.ts):
// ProseMirror decorations rather than the CSS Highlight API, because the editor redraws its own DOM.
// They follow edits: each change of the document locates every range again, by its offsets while
// the text there is still its quote, else by the quote (anchor.ts).
import { Extension } from "@tiptap/core";
import type { Node } from "@tiptap/pm/model";
import { Plugin, PluginKey, type Transaction } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { hasRange, locateRange } from "./anchor";
import { leafText } from "./editorAnchor";
import { HIGHLIGHT, HIGHLIGHT_ACTIVE, type Anchored } from "./useCommentHighlights";

interface Highlights {
  threads: readonly Anchored[];
  active: string | null;
  decorations: DecorationSet;
}

const key = new PluginKey<Highlights>("commentHighlights");

/** The document position of each text offset of a top-level block at `start` (offsets count as editorAnchor's do). */
function positionOf(block: Node, start: number, offset: number): number {
  let seen = 0;
  let at: number | null = null;
  block.descendants((n, pos) => {
    if (at !== null) return false;
    const length = n.isText ? n.text!.length : n.isLeaf ? leafText(n).length : 0;
    if (seen + length >= offset && (n.isText || n.isLeaf)) {
      at = start + pos + (n.isText ? offset - seen : offset > seen ? n.nodeSize : 0);
      return false;
    }
    seen += length;
    return true;
  });
  return at ?? start + block.content.size;
}

/** The decorations of `threads`' ranges in `doc`: one inline decoration per range still found. */
export function commentDecorations(doc: Node, threads: readonly Anchored[], active: string | null): DecorationSet {
  const blocks = new Map<string, { node: Node; start: number }>();
  doc.forEach((node, offset) => {
    const id = node.attrs.blockId as string | undefined;
    if (id) blocks.set(id, { node, start: offset + 1 });
  });
  const out: Decoration[] = [];
  for (const t of threads) {
    const block = hasRange(t.anchor) ? blocks.get(t.anchor.block_id) : undefined;
    if (!block) continue;
    const text = doc.textBetween(block.start, block.start + block.node.content.size, "", leafText);
    const range = locateRange(text, t.anchor);
    if (!range) continue;
    const from = positionOf(block.node, block.start, range[0]);
    const to = positionOf(block.node, block.start, range[1]);
    const on = t.id === active;
    if (to > from) out.push(Decoration.inline(from, to, { class: on ? HIGHLIGHT_ACTIVE : HIGHLIGHT }, { thread: t.id, active: on }));
  }
  return DecorationSet.create(doc, out);
}

/** `tr`, made to show `threads`' ranges (the `active` one stronger) in the editor it is dispatched to. */
export function setCommentHighlights(tr: Transaction, threads: readonly Anchored[], active: string | null): Transaction {
  return tr.setMeta(key, { threads, active });
}

export const CommentHighlights = Extension.create({
  name: "commentHighlights",
  addProseMirrorPlugins() {
    return [
      new Plugin<Highlights>({
        key,
        state: {
          init: () => ({ threads: [], active: null, decorations: DecorationSet.empty }),
          apply(tr, old, _prev, state) {
            const asked = tr.getMeta(key) as Pick<Highlights, "threads" | "active"> | undefined;
            if (asked) return { ...asked, decorations: commentDecorations(state.doc, asked.threads, asked.active) };
            if (!tr.docChanged || old.threads.length === 0) return old;
            return { ...old, decorations: commentDecorations(state.doc, old.threads, old.active) };
          },
        },
        props: { decorations: (state) => key.getState(state)?.decorations },
      }),
    ];
  },
});
