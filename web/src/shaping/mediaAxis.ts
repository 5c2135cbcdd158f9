// A media section's slider on another x axis than _step (e.g. `epoch`): each media step's x is
// the metric's value at that step, or at the nearest earlier step that logged it, read from the
// bucketed metrics answer the charts use; the slider's stops are the media steps ordered by x.
import { nearestAtOrBefore } from "./media";
import type { ApiSeries } from "./series";

/** The slider's own axis: the step, as the section's slider had it before. */
export const STEP_AXIS = "_step";

/** x per media step; a step before the metric's first value has none. */
export type StepX = Map<number, number>;

/** A range of steps whose buckets could not settle the value: read again point by point. */
export interface Refine {
  min: number;
  max: number;
  steps: number[];
}

const nums = (v: unknown[] | undefined): number[] => (v ?? []).map((x) => (typeof x === "number" ? x : x == null ? NaN : Number(x)));

/** Index of the last x <= v in ascending `xs`, or -1. */
function lastAtOrBefore(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The metric's value at or before each of `steps`, from one series of the metrics answer on the
 * step axis. Raw points settle every step. A bucket settles a step past its last point (its
 * `last`), at its first point (`first`), or anywhere when all its values are equal (an epoch
 * rarely changes inside one); any other step gets the bucket's `first` (a value at an earlier
 * step, not the nearest) and its bucket is listed in `refine`, to be read at full resolution.
 */
export function stepValues(series: ApiSeries | undefined, steps: readonly number[]): { values: StepX; refine: Refine[] } {
  const values: StepX = new Map();
  const refine: Refine[] = [];
  if (series?.points) {
    const xs = nums(series.points.x);
    const ys = nums(series.points.y);
    for (const s of steps) {
      // A NaN value is skipped: the nearest earlier finite value stands.
      for (let i = lastAtOrBefore(xs, s); i >= 0; i--)
        if (Number.isFinite(ys[i])) {
          values.set(s, ys[i]);
          break;
        }
    }
    return { values, refine };
  }
  const b = series?.buckets;
  if (!b) return { values, refine };
  const [x0, x1, min, max, first, last] = ["x0", "x1", "min", "max", "first", "last"].map((k) => nums(b[k]));
  const pending = new Map<number, Refine>();
  for (const s of steps) {
    const i = lastAtOrBefore(x0, s);
    if (i < 0) continue;
    if (s >= x1[i] && Number.isFinite(last[i])) values.set(s, last[i]);
    else if (s === x0[i] && Number.isFinite(first[i])) values.set(s, first[i]);
    else if (min[i] === max[i] && Number.isFinite(min[i])) values.set(s, min[i]);
    else {
      if (Number.isFinite(first[i])) values.set(s, first[i]);
      const r = pending.get(i) ?? { min: x0[i], max: x1[i], steps: [] };
      r.steps.push(s);
      pending.set(i, r);
    }
  }
  refine.push(...pending.values());
  return { values, refine };
}

/** One stop of a section's slider: a media step and its x (undefined before the metric's first value). */
export interface Stop {
  step: number;
  x: number | undefined;
}

const xKey = (x: number | undefined) => (x === undefined ? -Infinity : x);

/** Order of stops: by x, then by step; steps without an x come first. */
export function compareStops(a: Stop, b: Stop): number {
  return xKey(a.x) - xKey(b.x) || a.step - b.step;
}

/** x of `step` on the axis: the step itself on the step axis (`xs` null), else the metric's value. */
export const xAt = (xs: StepX | null, step: number): number | undefined => (xs ? xs.get(step) : step);

/** Every media step of every run as the slider's stops, ordered by (x, step), without duplicates. */
export function axisStops(perRun: readonly { steps: readonly number[]; xs: StepX | null }[]): Stop[] {
  const seen = new Set<string>();
  const out: Stop[] = [];
  for (const { steps, xs } of perRun)
    for (const step of steps) {
      const stop = { step, x: xAt(xs, step) };
      const id = `${stop.x}:${step}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(stop);
    }
  return out.sort(compareStops);
}

/**
 * The step of `steps` (one run's media of one key) shown at `stop`: its last step at or before the
 * stop in (x, step) order. On the step axis this is the nearest earlier step with media.
 */
export function shownAt(steps: readonly number[], xs: StepX | null, stop: Stop): number | undefined {
  if (!xs) return nearestAtOrBefore(steps, stop.step); // steps are ascending: a binary search
  let best: Stop | undefined;
  for (const step of steps) {
    const s = { step, x: xAt(xs, step) };
    if (compareStops(s, stop) <= 0 && (!best || compareStops(s, best) > 0)) best = s;
  }
  return best?.step;
}

/** The slider's label: "step 10", or "epoch 3" (4 significant digits for non-integers). */
export function stopLabel(axis: string, stop: Stop | undefined): string {
  if (!stop) return "";
  if (axis === STEP_AXIS) return `step ${stop.step}`;
  if (stop.x === undefined) return `${axis} – (step ${stop.step})`;
  const v = Number.isInteger(stop.x) ? String(stop.x) : String(Number(stop.x.toPrecision(4)));
  return `${axis} ${v}`;
}
