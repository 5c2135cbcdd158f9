// Pure shaping for the media panels: which step a slider shows, histogram heatmaps, box geometry.

/** The nearest step in `steps` (ascending) at or before `step`; undefined when none is. */
export function nearestAtOrBefore(steps: readonly number[], step: number): number | undefined {
  let lo = 0;
  let hi = steps.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) {
      found = steps[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The sorted union of several keys' steps: the positions a section's slider stops at. */
export function unionSteps(lists: readonly (readonly number[])[]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

/** The value at quantile q (0..1) of `values`, linear between ranks; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = Math.min(1, Math.max(0, q)) * (v.length - 1);
  const i = Math.floor(pos);
  return i + 1 < v.length ? v[i] + (v[i + 1] - v[i]) * (pos - i) : v[i];
}

export interface HistogramRow {
  step: number;
  bins: number[];
  values: number[];
}

export interface Heatmap {
  steps: number[];
  lo: number;
  hi: number;
  /** rows[i][j]: density of step i in the j-th of `cells` equal cells over [lo, hi). */
  rows: number[][];
  /** The colour range: 1st and 99th percentile of the non-zero densities, so one spike does not wash out the rest. */
  vmin: number;
  vmax: number;
}

/**
 * Histograms over steps on one common value axis: each step's counts spread onto `cells` equal
 * cells over the range of every step's edges (a bin overlapping several cells splits by overlap).
 */
export function heatmap(hists: readonly HistogramRow[], cells = 64): Heatmap {
  const good = hists.filter((h) => h.bins.length === h.values.length + 1 && h.values.length > 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of good) {
    lo = Math.min(lo, h.bins[0]);
    hi = Math.max(hi, h.bins[h.bins.length - 1]);
  }
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / cells;
  const rows = good.map((h) => {
    const row = new Array<number>(cells).fill(0);
    h.values.forEach((count, b) => {
      const a = h.bins[b];
      const z = h.bins[b + 1];
      if (!(count > 0) || !(z >= a)) return;
      if (z === a) {
        row[Math.min(cells - 1, Math.floor((a - lo) / width))] += count;
        return;
      }
      const first = Math.max(0, Math.floor((a - lo) / width));
      const last = Math.min(cells - 1, Math.floor((z - lo) / width - 1e-9));
      for (let c = first; c <= last; c++) {
        const overlap = Math.min(z, lo + (c + 1) * width) - Math.max(a, lo + c * width);
        if (overlap > 0) row[c] += (count * overlap) / (z - a);
      }
    });
    return row;
  });
  const nonzero = rows.flat().filter((v) => v > 0);
  const vmin = nonzero.length ? quantile(nonzero, 0.01) : 0;
  const vmax = nonzero.length ? quantile(nonzero, 0.99) : 1;
  return { steps: good.map((h) => h.step), lo, hi, rows, vmin, vmax: vmax > vmin ? vmax : vmin + 1 };
}

/** 0..1 of `v` in [vmin, vmax], clamped. */
export function level(v: number, vmin: number, vmax: number): number {
  if (!(v > 0)) return 0;
  return Math.min(1, Math.max(0, (v - vmin) / (vmax - vmin)));
}

export interface BoxPosition {
  minX?: number;
  maxX?: number;
  minY?: number;
  maxY?: number;
  middle?: [number, number];
  width?: number;
  height?: number;
}

/** A wandb box as fractions of the image (x, y, w, h); `domain: "pixel"` positions are divided by the image size. */
export function boxRect(p: BoxPosition, pixel: boolean, imgW: number, imgH: number): { x: number; y: number; w: number; h: number } | null {
  let x0: number, x1: number, y0: number, y1: number;
  if (p.middle && p.width != null && p.height != null) {
    [x0, x1] = [p.middle[0] - p.width / 2, p.middle[0] + p.width / 2];
    [y0, y1] = [p.middle[1] - p.height / 2, p.middle[1] + p.height / 2];
  } else if (p.minX != null && p.maxX != null && p.minY != null && p.maxY != null) {
    [x0, x1, y0, y1] = [p.minX, p.maxX, p.minY, p.maxY];
  } else return null;
  const sx = pixel ? imgW || 1 : 1;
  const sy = pixel ? imgH || 1 : 1;
  return { x: x0 / sx, y: y0 / sy, w: (x1 - x0) / sx, h: (y1 - y0) / sy };
}

/** A distinct colour per class id (golden-angle hues). */
export function classColor(id: number): [number, number, number] {
  const h = ((id * 137.508) % 360) / 360;
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (0.5 - 0.45 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
