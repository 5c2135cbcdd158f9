import { api, ApiError, unwrap } from "./client";
import type { MediaKey } from "./media";
import { decodeBatch, DRAWN_FIELDS, type BatchChunk } from "../shaping/arrowBatch";
import { BUCKETS } from "./metrics";
import { concurrencyLimit } from "./concurrency";

export const ARROW_STREAM = "application/vnd.apache.arrow.stream";

/**
 * Series per request: runs x keys at 1,000 buckets of five float64 fields is 4 MB of Arrow at most,
 * under what a Lambda may answer (6 MB, base64 included).
 */
export const SERIES_PER_REQUEST = 100;

/** Batch reads in flight at once (see concurrency.ts); a window rarely shows more than two sections. */
export const SECTION_READS_AT_ONCE = 2;
const sectionReads = concurrencyLimit(SECTION_READS_AT_ONCE);

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
  const bytes = await sectionReads(() =>
    unwrap(
      api.GET("/api/projects/{project_id}/metrics/batch", {
        params: {
          path: { project_id: projectId },
          query: { runs: [runs.join(",")], buckets: BUCKETS, stream: "history", fields: DRAWN_FIELDS.join(","), ...rest },
        },
        headers: { Accept: ARROW_STREAM },
        parseAs: "arrayBuffer",
        cache: revalidate ? "no-cache" : "default",
      }),
    ),
  );
  return decodeBatch(bytes as unknown as ArrayBuffer);
}

/**
 * Buckets of a band: its slots are shaded, not hovered run by run, so fewer than a line's 1,000
 * serve; and band runs x keys x buckets must stay under the route's 5,000,000.
 */
export const BAND_BUCKETS = 250;
/** Keys per band request at `runs` band runs: the route's band runs x keys (20,000) and points limits. */
export const bandKeysPerRequest = (runs: number) => Math.max(1, Math.min(100, Math.floor(20_000 / Math.max(1, runs)), Math.floor(5_000_000 / (Math.max(1, runs) * BAND_BUCKETS))));

export interface BandAsk {
  /** The runs aggregated into one band per key (up to 1,000). */
  band: string[];
  keys: string[];
  x: string;
}

/** A band answer with the ETag it came with, so the next read of a live band can revalidate it. */
export interface BandAnswer {
  chunk: BatchChunk;
  etag: string | null;
}

/**
 * POST /projects/{id}/metrics/batch with `band`: the runs past a workspace's first N lines, one
 * min/max/mean band per key computed on the server. A POST because 1,000 run ids do not fit a URL;
 * the browser does not cache a POST, so the ETag of `prev` is sent and a 304 keeps `prev`.
 */
export async function fetchBand(projectId: string, ask: BandAsk, prev?: BandAnswer): Promise<BandAnswer> {
  const call = api.POST("/api/projects/{project_id}/metrics/batch", {
    params: { path: { project_id: projectId } },
    body: { runs: [], band: ask.band, keys: ask.keys, x: ask.x, buckets: BAND_BUCKETS, stream: "history", fields: [...DRAWN_FIELDS, "count"] },
    headers: { Accept: ARROW_STREAM, ...(prev?.etag ? { "If-None-Match": prev.etag } : {}) },
    parseAs: "arrayBuffer",
  });
  const answer = await call.catch((e: Error) => {
    throw new ApiError(0, "network", `Cannot reach the server: ${e.message}`);
  });
  if (answer.response.status === 304 && prev) return prev;
  const bytes = await unwrap(Promise.resolve(answer));
  return { chunk: decodeBatch(bytes as unknown as ArrayBuffer), etag: answer.response.headers.get("ETag") };
}

/** A selection's keys: every metric key any run logged, and each run's media keys. */
export interface RunsKeys {
  keys: string[];
  media: Record<string, MediaKey[]>;
  missing: string[];
  warnings: string[];
}

/** Runs per keys request: the route's limit. */
export const KEYS_RUNS_PER_REQUEST = 1000;

/** POST /projects/{id}/keys: the metric and media keys of up to 1,000 runs in one request. */
export const fetchRunsKeys = (projectId: string, runs: string[]): Promise<RunsKeys> =>
  unwrap(
    api.POST("/api/projects/{project_id}/keys", {
      params: { path: { project_id: projectId } },
      body: { runs, stream: "history", media: true },
    }),
  ) as Promise<RunsKeys>;
