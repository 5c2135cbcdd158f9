// The one x range a side-by-side panel's charts share: the union of every drawn series' x values,
// or the zoomed range once one chart was zoomed (which then zooms them all).
import type { Series } from "../../../shaping/series";

export type Range = [number, number];

/**
 * The smallest range holding every point of `series` (x values sorted ascending, as the metrics
 * API answers), or null when none has a point. A lone x is widened by 1 either side, so a chart of
 * one step still has a width to draw in.
 */
export function unionRange(series: readonly Series[]): Range | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const n = s.x.length;
    if (n === 0) continue;
    // A sorted series is bounded by its ends (either way round): no need to scan every point.
    lo = Math.min(lo, s.x[0], s.x[n - 1]);
    hi = Math.max(hi, s.x[0], s.x[n - 1]);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/**
 * The range every chart draws: the zoom, kept inside the union (a drag past the last step stops
 * there), else the union. A zoom that misses the data altogether is dropped.
 */
export function sharedRange(union: Range | null, zoom: Range | null): Range | null {
  if (!union) return null;
  if (!zoom) return union;
  const lo = Math.max(union[0], Math.min(zoom[0], zoom[1]));
  const hi = Math.min(union[1], Math.max(zoom[0], zoom[1]));
  return lo < hi ? [lo, hi] : union;
}
