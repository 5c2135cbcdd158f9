// The values a media section's slider walks when it is on a metric axis (e.g. `epoch`). Kept apart
// from queries/media.ts, which the workspace itself imports: this is part of the media chunk only.
import { queryOptions } from "@tanstack/react-query";
import { fetchMetrics, type MetricRange } from "../api/metrics";
import type { Run } from "../api/types";
import { stepValues, type StepX } from "../shaping/mediaAxis";
import { runKey } from "./runs";

type RunRef = Pick<Run, "id" | "project_id">;

/** Buckets read again point by point per axis lookup, at most; the rest keep their bucket's first value. */
export const MAX_REFINE = 32;

/**
 * `metric`'s value at or before each media step (a slider on that axis): one bucketed read on the
 * step axis, then the few buckets that could not settle a step read at full resolution (nested
 * once more for a run of over a million steps).
 */
export async function readStepValues(run: RunRef, metric: string, steps: readonly number[], range?: MetricRange, depth = 0): Promise<StepX> {
  const res = await fetchMetrics(run, [metric], "step", range ?? {});
  const { values, refine } = stepValues(res.series[metric], steps);
  if (depth >= 2) return values;
  const finer = await Promise.all(refine.slice(0, MAX_REFINE).map((r) => readStepValues(run, metric, r.steps, { min: r.min, max: r.max }, depth + 1)));
  for (const part of finer) for (const [s, v] of part) values.set(s, v);
  return values;
}

/** A section slider's x values for one run; a step's value never changes, so it is read once per set of steps. */
export const mediaAxisQuery = (run: RunRef, metric: string, steps: readonly number[]) =>
  queryOptions({
    queryKey: [...runKey(run), "media", "axis", metric, steps],
    queryFn: () => readStepValues(run, metric, steps),
    staleTime: Infinity,
  });
