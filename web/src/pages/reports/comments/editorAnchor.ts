// The comment anchor of the editor's selection (the read-only view's is in textRanges.ts).
import type { Node } from "@tiptap/pm/model";
import type { EditorState } from "@tiptap/pm/state";
import type { Anchor } from "../api";
import { selectionAnchor } from "./anchor";

// Leaves count as the view shows them: a mention is its label, a line break or a formula no text
// the quote can rely on (a formula's rendering is not its LaTeX; the quote finds the words around it).
export const leafText = (n: Node): string => (n.type.name === "mention" ? String(n.attrs.label ?? "") : "");

/**
 * The comment anchor of the editor's selection: its top-level block, and the selected text when
 * the selection lies inside that one block. Offsets count the block's text only (no separators),
 * as the read-only view counts its text nodes.
 */
export function editorAnchor(state: EditorState): Anchor | null {
  const { selection, doc } = state;
  const { $from, $to } = selection;
  const top = $from.depth > 0 ? $from.node(1) : doc.nodeAt($from.pos);
  const blockId = (top?.attrs.blockId as string | undefined) ?? null;
  if (!blockId) return null;
  if (selection.empty || $from.depth === 0 || $to.depth === 0 || $from.before(1) !== $to.before(1)) return { block_id: blockId };
  const start = $from.start(1);
  const text = doc.textBetween(start, $from.end(1), "", leafText);
  const from = doc.textBetween(start, selection.from, "", leafText).length;
  const to = from + doc.textBetween(selection.from, selection.to, "", leafText).length;
  return selectionAnchor(blockId, text, from, to) ?? { block_id: blockId };
}
