// Run colours: a run keeps its colour while it stays selected, and a run always gets the same
// colour for the same selection, so charts, legend and tables agree and a reload changes nothing.
//
// The palette is Tableau-, Kelly- and d3-category colours ordered greedily so that every prefix is
// as spread out as it can be (Glasbey's method): 5 runs are at least 45 CIELAB units apart and all
// 20 at least 24 (tests/unit/colors.test.ts). Slots are handed out from the first, so a small
// selection gets the most distinct colours.
export const PALETTE = [
  "#1f77b4", "#d62728", "#f6a600", "#2ca02c", "#843c39", "#e377c2", "#637939", "#bcbd22", "#7b4173", "#f99379",
  "#17becf", "#008856", "#7f7f7f", "#b3446c", "#ff7f0e", "#9467bd", "#8c6d31", "#393b79", "#ffbb78", "#e68fac",
];

/**
 * Assigns palette slots to run ids. Runs present in `previous` keep their slot; each new run
 * takes the first free slot, in selection order. Past the palette's size slots repeat.
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
    let slot = 0;
    while (used.has(slot) && slot < PALETTE.length) slot++;
    if (slot === PALETTE.length) slot = used.size % PALETTE.length;
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

/** sRGB hex to CIELAB (D65), for measuring how far apart two colours look. */
export function hexToLab(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const fx = f((r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047);
  const fy = f(r * 0.2126 + g * 0.7152 + b * 0.0722);
  const fz = f((r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE76 colour difference: about 2.3 is just noticeable, above 20 reads as another colour. */
export function colorDistance(a: string, b: string): number {
  const [p, q] = [hexToLab(a), hexToLab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}
