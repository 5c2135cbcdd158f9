import { api, unwrap } from "./client";
import type { MetricsResult, Run } from "./types";

/** Points per series the server reduces a whole run to (min/max/mean per bucket). */
export const BUCKETS = 1000;

export type MetricStream = "history" | "system";
type RunRef = Pick<Run, "id" | "project_id">;

export interface MetricRange {
  min?: number;
  max?: number;
  after_step?: number;
  stream?: MetricStream;
}

/** GET /runs/{id}/metrics for `keys` against x axis `x`, bucketed; `extra` narrows the range or asks for new steps only. */
export function fetchMetrics(run: RunRef, keys: string[], x: string, extra: MetricRange = {}): Promise<MetricsResult> {
  return unwrap(
    api.GET("/api/runs/{run_id}/metrics", {
      params: {
        path: { run_id: run.id },
        // Run ids are unique per project: the project says which run of this id is meant.
        query: { keys, x, buckets: BUCKETS, stream: "history", project_id: run.project_id, ...extra },
      },
    }),
  );
}

/** The metric keys a run has logged to `stream`. */
export async function listMetricKeys(run: RunRef, stream: MetricStream): Promise<string[]> {
  const res = await unwrap(
    api.GET("/api/runs/{run_id}/metric-keys", { params: { path: { run_id: run.id }, query: { stream, project_id: run.project_id } } }),
  );
  return res.keys;
}
