// A comment's text range inside its block, as character offsets into the block's text (the text of
// its text nodes, in reading order, nothing between them), with the quoted text kept beside them.
// Offsets alone go stale when the block is edited; the quote finds the words again.
import type { Anchor } from "../api";

/** The longest quote the server keeps (reports/models.py Anchor.quote). */
export const MAX_QUOTE = 2000;

/**
 * The anchor of the selection [start, end) of a block's `text`, cut to MAX_QUOTE characters, or
 * null when it selects nothing but whitespace.
 */
export function selectionAnchor(blockId: string, text: string, start: number, end: number): Anchor | null {
  const from = Math.max(0, Math.min(start, end));
  const to = Math.min(Math.max(start, end), from + MAX_QUOTE, text.length);
  const quote = text.slice(from, to);
  if (!quote.trim()) return null;
  return { block_id: blockId, from, to, quote };
}

/**
 * Where `anchor`'s range lies in `text` now: its own offsets while the text there is still its
 * quote, else the occurrence of the quote nearest to them; null when it has no range or the text
 * no longer holds its quote.
 */
export function locateRange(text: string, anchor: Pick<Anchor, "from" | "to" | "quote">): [number, number] | null {
  const { from, to } = anchor;
  const quote = anchor.quote ?? "";
  const hasOffsets = typeof from === "number" && typeof to === "number" && to > from && to <= text.length;
  if (hasOffsets && (!quote || text.slice(from, to) === quote)) return [from, to];
  if (!quote) return null;
  const near = typeof from === "number" ? from : 0;
  let best = -1;
  for (let i = text.indexOf(quote); i >= 0; i = text.indexOf(quote, i + 1)) if (best < 0 || Math.abs(i - near) < Math.abs(best - near)) best = i;
  return best < 0 ? null : [best, best + quote.length];
}

/** Whether an anchor names a text range (not just its block). */
export const hasRange = (a: Anchor): boolean => !!a.quote || (typeof a.from === "number" && typeof a.to === "number");
