// Run colours: a run keeps its colour while it stays selected, and a run always gets the same
// colour for the same selection, so charts, legend and tables agree and a reload changes nothing.
export const PALETTE = [
  "#2f80ed", "#eb5757", "#27ae60", "#f2994a", "#9b51e0", "#00a3a3", "#d4398f", "#8a6d3b",
  "#56ccf2", "#6fcf97", "#bb6bd9", "#f2c94c", "#4f4f4f", "#e0607e", "#1f9d8b", "#5b6ee1",
];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * Assigns palette slots to run ids. Runs present in `previous` keep their slot; each new run
 * takes the first free slot from its id's hash onwards. Past the palette's size slots repeat.
 */
export function assignColors(ids: readonly string[], previous: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  const used = new Set<number>();
  for (const id of ids) {
    const p = previous[id];
    if (p !== undefined && !used.has(p)) {
      out[id] = p;
      used.add(p);
    }
  }
  for (const id of ids) {
    if (out[id] !== undefined) continue;
    const start = hash(id) % PALETTE.length;
    let slot = start;
    for (let k = 0; k < PALETTE.length; k++) {
      const s = (start + k) % PALETTE.length;
      if (!used.has(s)) {
        slot = s;
        break;
      }
    }
    out[id] = slot;
    used.add(slot);
  }
  return out;
}

export const colorOf = (slot: number | undefined): string => PALETTE[(slot ?? 0) % PALETTE.length];

/** The colour with alpha, for envelopes drawn under the line. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
