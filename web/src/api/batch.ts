import { api, unwrap } from "./client";
import { decodeBatch, DRAWN_FIELDS, type BatchChunk } from "../shaping/arrowBatch";
import { BUCKETS } from "./metrics";

export const ARROW_STREAM = "application/vnd.apache.arrow.stream";

/**
 * Series per request: runs x keys at 1,000 buckets of five float64 fields is 4 MB of Arrow at most,
 * under what a Lambda may answer (6 MB, base64 included).
 */
export const SERIES_PER_REQUEST = 100;

export interface BatchAsk {
  runs: string[];
  keys: string[];
  x: string;
  min?: number;
  max?: number;
  after_step?: number;
}

/**
 * GET /projects/{id}/metrics/batch as Arrow: every run's series of `keys` in one answer.
 * `revalidate` (a live run's read) makes the browser ask the server every time, with the ETag it
 * holds; otherwise a finished run's answer, marked immutable by the server, may come from the
 * browser's cache without a request.
 */
export async function fetchBatch(projectId: string, ask: BatchAsk, revalidate: boolean): Promise<BatchChunk> {
  const { runs, ...rest } = ask;
  const bytes = await unwrap(
    api.GET("/api/projects/{project_id}/metrics/batch", {
      params: {
        path: { project_id: projectId },
        query: { runs: [runs.join(",")], buckets: BUCKETS, stream: "history", fields: DRAWN_FIELDS.join(","), ...rest },
      },
      headers: { Accept: ARROW_STREAM },
      parseAs: "arrayBuffer",
      cache: revalidate ? "no-cache" : "default",
    }),
  );
  return decodeBatch(bytes as unknown as ArrayBuffer);
}
