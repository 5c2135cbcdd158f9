// The batch route's Arrow answer (GET /projects/{id}/metrics/batch, docs/query.md) as the series
// the charts draw. One row per (run, key); each bucket field is a list column, so a series is a
// slice of one float64 buffer: no number is parsed, which is most of what a JSON answer costs.
import { tableFromIPC } from "@uwdata/flechette";
import type { Series } from "./series";

/**
 * A band over many runs (the selection past the first N lines): per x slot the runs' mean (`y`),
 * lowest min (`lo`) and highest max (`hi`), and how many runs had a point there.
 */
export interface BandSeries extends Series {
  runs: number[];
}

/** Every run's series of one batch answer, with each run's last step and the server's warnings. */
export interface BatchChunk {
  series: Record<string, Record<string, Series>>;
  lastStep: Record<string, number | null>;
  warnings: string[];
  /** Per key, the band of the answer's band runs (POST with `band`); absent without one. */
  band?: Record<string, BandSeries>;
}

/** The bucket fields the charts need: the line (mean), the band (min, max) and where each bucket sits. */
export const DRAWN_FIELDS = ["x0", "x1", "min", "max", "mean"] as const;

type Values = ArrayLike<number | null> | null;

const finite = (v: number | null | undefined): number | null => (v == null || !Number.isFinite(v) ? null : v);

/** One series from its columns; a raw series arrives as one-point buckets (x0 = x1, min = max = mean). */
function seriesOf(x0: Values, x1: Values, mean: Values, min: Values, max: Values): Series {
  const out: Series = { x: [], y: [], lo: [], hi: [] };
  const n = x0?.length ?? 0;
  for (let i = 0; i < n; i++) {
    const a = finite(x0![i]);
    const b = finite(x1![i]);
    if (a === null || b === null) continue;
    out.x.push((a + b) / 2);
    out.y.push(finite(mean?.[i]));
    out.lo.push(finite(min?.[i]));
    out.hi.push(finite(max?.[i]));
  }
  return out;
}

/** Decodes an Arrow IPC stream of the batch route into drawable series per run and key. */
export function decodeBatch(bytes: ArrayBuffer | Uint8Array): BatchChunk {
  const table = tableFromIPC(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const col = (name: string) => table.getChild(name);
  const [run, key, last, warn] = [col("run"), col("key"), col("last_step"), col("warnings")];
  const [x0, x1, min, max, mean] = DRAWN_FIELDS.map(col);
  const out: BatchChunk = { series: {}, lastStep: {}, warnings: [] };
  const warnings = new Set<string>();
  // Asked for by band requests only (the runs per slot); a line request leaves it out.
  const count = table.schema.fields.some((f) => f.name === "count") ? col("count") : null;
  for (let i = 0; i < table.numRows; i++) {
    const r = run.at(i) as string | null;
    for (const w of Array.from((warn.at(i) as ArrayLike<string> | null) ?? [])) warnings.add(w);
    if (r === null) {
      // A band row: one per key, each x slot a one-point bucket, count = the runs there.
      const k = key.at(i) as string;
      const s = seriesOf(x0.at(i) as Values, x1.at(i) as Values, mean.at(i) as Values, min.at(i) as Values, max.at(i) as Values);
      out.band ??= {};
      out.band[k] = { ...s, runs: Array.from((count?.at(i) as ArrayLike<number> | null) ?? [], Number) };
      continue;
    }
    out.series[r] ??= {};
    out.lastStep[r] = (last.at(i) as number | null) ?? null;
    const k = key.at(i) as string | null;
    // A run with none of the keys has one row with no key: it brings the run's last step only.
    if (k === null) continue;
    out.series[r][k] = seriesOf(x0.at(i) as Values, x1.at(i) as Values, mean.at(i) as Values, min.at(i) as Values, max.at(i) as Values);
  }
  out.warnings = [...warnings];
  return out;
}
