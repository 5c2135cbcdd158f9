import { api, unwrap } from "./client";
import type { components } from "./schema";
import type { Run } from "./types";

export type MediaKey = components["schemas"]["MediaKey"];
export type MediaItem = components["schemas"]["MediaItem"];
export type MediaHistograms = components["schemas"]["MediaHistograms"];
export type HistogramStep = components["schemas"]["HistogramStep"];
type RunRef = Pick<Run, "id" | "project_id">;

/** The run's media keys, each with its descriptor type and the steps that have media. */
export async function listMediaKeys(run: RunRef): Promise<MediaKey[]> {
  const res = await unwrap(api.GET("/api/runs/{run_id}/media", { params: { path: { run_id: run.id }, query: { project_id: run.project_id } } }));
  return res.keys;
}

/** (key, step), or the nearest earlier step with media (`exact: false`); file descriptors carry presigned GET `url`s. */
export function fetchMediaItem(run: RunRef, key: string, step: number): Promise<MediaItem> {
  return unwrap(
    api.GET("/api/runs/{run_id}/media/item", { params: { path: { run_id: run.id }, query: { key, step, project_id: run.project_id } } }),
  );
}

/** Every step's bins and counts of a histogram key. */
export function fetchHistograms(run: RunRef, key: string): Promise<MediaHistograms> {
  return unwrap(
    api.GET("/api/runs/{run_id}/media/histograms", { params: { path: { run_id: run.id }, query: { key, project_id: run.project_id } } }),
  );
}
