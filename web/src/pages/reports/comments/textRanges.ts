// A block's text in the read-only view, and DOM ranges over it: what the selection covers (to
// anchor a comment) and what a comment's anchor covers (to highlight it). The text is the block
// body's text nodes in order; the comment button beside a block and live panel grids are not text.
import { selectionAnchor } from "./anchor";
import type { Anchor } from "../api";

const NOT_TEXT = ".report-block-aside, .report-grid, .katex-mathml";

function textNodes(block: Element): Text[] {
  const out: Text[] = [];
  const walk = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.parentElement?.closest(NOT_TEXT) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let n = walk.nextNode(); n; n = walk.nextNode()) out.push(n as Text);
  return out;
}

/** The block's text, as comment offsets count it. */
export const blockText = (block: Element): string =>
  textNodes(block)
    .map((t) => t.data)
    .join("");

/** The offset in the block's text of a DOM position (node, offset) inside it. */
function offsetOf(block: Element, node: Node, offset: number): number {
  const before = document.createRange();
  before.selectNodeContents(block);
  before.setEnd(node, offset);
  let at = 0;
  for (const t of textNodes(block)) {
    if (!before.intersectsNode(t)) break; // in reading order: the first one past the position ends it
    at += t === before.endContainer ? before.endOffset : t.data.length;
  }
  return at;
}

/** The block (a `[data-block-id]` section) holding the whole of the page's selection, and its anchor; null otherwise. */
export function selectionInBlock(root: Element): Anchor | null {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
  const range = sel.getRangeAt(0);
  const block = (range.commonAncestorContainer instanceof Element ? range.commonAncestorContainer : range.commonAncestorContainer.parentElement)?.closest("[data-block-id]");
  if (!block || !root.contains(block) || block.getAttribute("data-block-type") === "panel_grid") return null;
  const start = offsetOf(block, range.startContainer, range.startOffset);
  const end = offsetOf(block, range.endContainer, range.endOffset);
  return selectionAnchor(block.getAttribute("data-block-id")!, blockText(block), start, end);
}

/** A DOM range over [from, to) of the block's text. */
export function rangeOf(block: Element, from: number, to: number): Range | null {
  const range = document.createRange();
  let at = 0;
  let started = false;
  for (const t of textNodes(block)) {
    const end = at + t.data.length;
    if (!started && from < end) {
      range.setStart(t, from - at);
      started = true;
    }
    if (started && to <= end) {
      range.setEnd(t, to - at);
      return range;
    }
    at = end;
  }
  return null;
}
