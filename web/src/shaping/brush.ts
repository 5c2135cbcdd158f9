// The workspace's brush: ranges (or categories) of run fields picked on a parallel-coordinates or
// scatter panel over runs. A run is shown only when its value of every brushed field is inside.
import type { AxisBrush } from "./chartOptions";
import { labelOf, numberOf } from "./frame";

export type RunBrush = Record<string, AxisBrush>;

/** Whether a run whose field values `valueOf` gives passes every brushed field. */
export function inBrush(brush: RunBrush, valueOf: (field: string) => unknown): boolean {
  for (const [field, b] of Object.entries(brush)) {
    const v = valueOf(field);
    if (b.ranges) {
      const n = numberOf(v);
      if (n === null || !b.ranges.some(([lo, hi]) => n >= lo && n <= hi)) return false;
    }
    if (b.values && !b.values.includes(labelOf(v))) return false;
  }
  return true;
}

export const brushIsEmpty = (b: RunBrush): boolean => Object.keys(b).length === 0;

/** "config.lr 0.001–0.01, config.optimizer adam" for the toolbar's chip. */
export function describeBrush(brush: RunBrush): string {
  const short = (n: number) => (Math.abs(n) >= 1e4 || (n !== 0 && Math.abs(n) < 1e-3) ? n.toExponential(2) : String(Number(n.toPrecision(3))));
  return Object.entries(brush)
    .map(([f, b]) => `${f} ${b.ranges ? b.ranges.map(([lo, hi]) => `${short(lo)}–${short(hi)}`).join(" or ") : (b.values ?? []).join(", ")}`)
    .join("; ");
}

/** A brush from untrusted JSON (a view in a link); malformed fields are dropped. */
export function readBrush(v: unknown): RunBrush {
  const out: RunBrush = {};
  if (!v || typeof v !== "object") return out;
  for (const [field, raw] of Object.entries(v as object).slice(0, 30)) {
    const b = raw as AxisBrush | null;
    const ranges = Array.isArray(b?.ranges)
      ? b.ranges.filter((r): r is [number, number] => Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === "number" && Number.isFinite(x))).slice(0, 20)
      : [];
    const values = Array.isArray(b?.values) ? b.values.filter((x): x is string => typeof x === "string").slice(0, 200) : [];
    if (ranges.length) out[field] = { ranges: ranges.map(([lo, hi]) => [Math.min(lo, hi), Math.max(lo, hi)]) };
    else if (values.length) out[field] = { values };
  }
  return out;
}

/**
 * The brush after a parallel axis' selection changed: `intervals` in axis units (values, or
 * category indices on a category axis); an empty selection removes the field.
 */
export function withAxisSelection(brush: RunBrush, field: string, intervals: readonly [number, number][], cats: readonly string[] | null): RunBrush {
  const next = { ...brush };
  delete next[field];
  if (intervals.length === 0) return next;
  if (cats) {
    const values = cats.filter((_, i) => intervals.some(([lo, hi]) => i >= Math.min(lo, hi) - 0.5 && i <= Math.max(lo, hi) + 0.5));
    if (values.length) next[field] = { values };
  } else next[field] = { ranges: intervals.map(([lo, hi]) => [Math.min(lo, hi), Math.max(lo, hi)]) };
  return next;
}
