import { api, unwrap } from "./client";
import type { components } from "./schema";
import type { MetricsResult, Run } from "./types";

export type CompareRequest = components["schemas"]["CompareRequest"];
export type CompareResult = components["schemas"]["CompareResponse"];
export type GroupBand = components["schemas"]["GroupBand"];

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

/** POST /projects/{id}/metrics/query: many runs' keys in one request; with `group_by`, one band per group. */
export function compareRuns(projectId: string, body: CompareRequest): Promise<CompareResult> {
  return unwrap(api.POST("/api/projects/{project_id}/metrics/query", { params: { path: { project_id: projectId } }, body }));
}
