// Grouped lines as the workspace draws them: the server's per-group band (POST
// /projects/{id}/metrics/query with group_by, computed over every run of the group) turned into
// the mean-line-plus-envelope series the line chart already draws for a single run.
import type { Series } from "./series";
import type { BandKind } from "./view";

/** One key of one group as the compare answer holds it: parallel arrays per bucket. */
export interface ApiBand {
  x?: unknown[];
  mean?: unknown[];
  min?: unknown[];
  max?: unknown[];
  std?: unknown[];
  runs?: unknown[];
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The mean with a min–max band, or with mean ± one standard deviation. */
export function bandSeries(b: ApiBand | undefined, kind: BandKind): Series {
  const out: Series = { x: [], y: [], lo: [], hi: [] };
  if (!b?.x) return out;
  b.x.forEach((xv, i) => {
    const x = num(xv);
    if (x === null) return;
    const mean = num(b.mean?.[i]);
    let lo = num(b.min?.[i]);
    let hi = num(b.max?.[i]);
    if (kind === "std") {
      const sd = num(b.std?.[i]);
      lo = mean !== null && sd !== null ? mean - sd : mean;
      hi = mean !== null && sd !== null ? mean + sd : mean;
    }
    out.x.push(x);
    out.y.push(mean);
    out.lo.push(lo);
    out.hi.push(hi);
  });
  return out;
}

/** A group's name in a legend: "(none)" for the runs without a value, as in the runs table. */
export function groupLabel(value: unknown, runs: number): string {
  const name = value === null || value === undefined ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);
  return `${name} (${runs} ${runs === 1 ? "run" : "runs"})`;
}
