// Metric series as the charts draw them: a mean line plus a min/max envelope per x.
// Raw points have lo = hi = y; buckets keep their min and max so a one-step spike inside a
// bucket still shows in the band even when the line averages it away.
import type { MetricsResult } from "../api/types";

export type ApiSeries = MetricsResult["series"][string];

export interface Series {
  x: number[];
  y: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
}

/** Which of a bucket's values a chart's line follows; its band always spans min to max. */
export type LineAgg = "mean" | "max" | "min";
export const LINE_AGGS: readonly LineAgg[] = ["mean", "max", "min"];

export const emptySeries = (): Series => ({ x: [], y: [], lo: [], hi: [] });

const num = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string") {
    const n = Number(v);
    if (v.trim() !== "" && Number.isFinite(n)) return n;
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
};

/** Turns one series of the metrics answer into drawable arrays; x values may be numbers or ISO times. */
export function seriesFromApi(s: ApiSeries | undefined): Series {
  const out = emptySeries();
  if (!s) return out;
  if (s.points) {
    const { x, y } = s.points;
    for (let i = 0; i < x.length; i++) {
      const xv = num(x[i]);
      if (xv === null) continue;
      const yv = num(y[i]);
      out.x.push(xv);
      out.y.push(yv);
      out.lo.push(yv);
      out.hi.push(yv);
    }
  } else if (s.buckets) {
    const b = s.buckets;
    for (let i = 0; i < b.x0.length; i++) {
      if (!b.count[i]) continue;
      const x0 = num(b.x0[i]);
      const x1 = num(b.x1[i]);
      if (x0 === null || x1 === null) continue;
      out.x.push((x0 + x1) / 2);
      out.y.push(num(b.mean[i]));
      out.lo.push(num(b.min[i]));
      out.hi.push(num(b.max[i]));
    }
  }
  return out;
}

/** Index of the first x >= v (x sorted ascending). */
function lowerBound(x: number[], v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function slice(s: Series, a: number, b: number): Series {
  return { x: s.x.slice(a, b), y: s.y.slice(a, b), lo: s.lo.slice(a, b), hi: s.hi.slice(a, b) };
}

function concat(...parts: Series[]): Series {
  return {
    x: parts.flatMap((p) => p.x),
    y: parts.flatMap((p) => p.y),
    lo: parts.flatMap((p) => p.lo),
    hi: parts.flatMap((p) => p.hi),
  };
}

/**
 * Appends a live tail (fetched with after_step) to what is drawn. Points of the tail replace
 * any drawn point at or past the tail's first x, so a re-sent step never shows twice.
 */
export function mergeTail(base: Series, tail: Series): Series {
  if (tail.x.length === 0) return base;
  const cut = lowerBound(base.x, tail.x[0]);
  return concat(slice(base, 0, cut), tail);
}

/**
 * Splices a full-resolution fetch of [min, max] into a coarser series: outside the range the
 * coarse buckets stay, inside it the detailed points take over.
 */
export function spliceRange(base: Series, detail: Series, min: number, max: number): Series {
  const a = lowerBound(base.x, min);
  let b = lowerBound(base.x, max);
  while (b < base.x.length && base.x[b] <= max) b++;
  return concat(slice(base, 0, a), detail, slice(base, b, base.x.length));
}

/** Shifts x so each series starts at 0: wall time becomes time since the run's first point. */
export function relativeX(s: Series): Series {
  if (s.x.length === 0) return s;
  const x0 = s.x[0];
  return { ...s, x: s.x.map((v) => v - x0) };
}

/**
 * Puts several series on one shared x axis (uPlot's aligned data): the sorted union of their
 * x values, with null where a series has no point at that x.
 */
export function alignSeries(series: Series[]): { x: number[]; cols: Series[] } {
  const all = new Float64Array(series.reduce((n, s) => n + s.x.length, 0));
  let k = 0;
  for (const s of series) for (const v of s.x) all[k++] = v;
  all.sort();
  const x: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) x.push(all[i]);
  const cols = series.map((s) => {
    const y = new Array<number | null>(x.length).fill(null);
    const lo = new Array<number | null>(x.length).fill(null);
    const hi = new Array<number | null>(x.length).fill(null);
    let j = 0;
    for (let i = 0; i < s.x.length; i++) {
      while (x[j] < s.x[i]) j++;
      y[j] = s.y[i];
      lo[j] = s.lo[i];
      hi[j] = s.hi[i];
    }
    return { x, y, lo, hi };
  });
  return { x, cols };
}
