import { queryOptions } from "@tanstack/react-query";
import { fetchBand, fetchBatch, fetchRunsKeys, type BandAnswer, type BandAsk, type BatchAsk } from "../api/batch";
import type { BatchChunk } from "../shaping/arrowBatch";
import { mergeTail } from "../shaping/series";
import { POLL_MS } from "./metrics";
import { RUN_POLL_MS } from "./runs";

const batchKey = (projectId: string) => ["projects", projectId, "metric-batch"] as const;

/**
 * Some keys of runs that no longer change (finished, crashed, ...), in one request, read once.
 * The server marks a finished, compacted answer immutable, so a reload reads it from the
 * browser's cache.
 */
export const settledBatchQuery = (projectId: string, ask: BatchAsk) =>
  queryOptions({
    queryKey: [...batchKey(projectId), "settled", ask.x, ask.runs, ask.keys],
    queryFn: () => fetchBatch(projectId, ask, false),
    // A chunk of 100 x 1,000-point series keeps its identity: deep-comparing it would cost more.
    structuralSharing: false,
    staleTime: Infinity,
  });

/**
 * Reads `keys` of a live run in full or, given the chunk read before, only the steps after its last
 * one, merged into it; history is append-only. Resolves to `prev` itself when nothing is new, so
 * nothing downstream redraws.
 */
export async function readLiveBatch(projectId: string, run: string, keys: string[], x: string, prev?: BatchChunk): Promise<BatchChunk> {
  const after = prev?.lastStep[run] ?? null;
  const res = await fetchBatch(projectId, { runs: [run], keys, x, ...(after === null ? {} : { after_step: after }) }, true);
  const got = res.lastStep[run] ?? null;
  const lastStep = got === null ? after : Math.max(after ?? -1, got);
  if (!prev || after === null) return { ...res, lastStep: { [run]: lastStep } };
  const series = { ...prev.series[run] };
  let changed = lastStep !== after;
  for (const [k, tail] of Object.entries(res.series[run] ?? {})) {
    if (tail.x.length === 0) continue;
    series[k] = mergeTail(series[k] ?? tail, tail);
    changed = true;
  }
  const warnings = new Set([...prev.warnings, ...res.warnings]);
  if (warnings.size > prev.warnings.length) changed = true;
  return changed ? { series: { [run]: series }, lastStep: { [run]: lastStep }, warnings: [...warnings] } : prev;
}

/** `keys` of one live run, polled every 4 s for new steps only; each read revalidates with the server. */
export const liveBatchQuery = (projectId: string, run: string, keys: string[], x: string) =>
  queryOptions({
    queryKey: [...batchKey(projectId), "live", run, x, keys],
    queryFn: ({ client, queryKey }) => readLiveBatch(projectId, run, keys, x, client.getQueryData<BatchChunk>(queryKey)),
    structuralSharing: false,
    staleTime: 0,
    refetchInterval: POLL_MS,
  });

/**
 * The band of `ask.band` runs over `ask.keys`: read once when every band run has ended (the answer
 * cannot change), else polled every 4 s, each read revalidated with the last answer's ETag (a 304
 * keeps what is drawn).
 */
export const bandQuery = (projectId: string, ask: BandAsk, live: boolean) =>
  queryOptions({
    queryKey: [...batchKey(projectId), "band", ask.x, ask.band, ask.keys],
    queryFn: ({ client, queryKey }) => fetchBand(projectId, ask, client.getQueryData<BandAnswer>(queryKey)),
    structuralSharing: false,
    staleTime: live ? 0 : Infinity,
    refetchInterval: live ? POLL_MS : false,
  });

/** The metric and media keys of a selection of runs, one request per 1,000; asked again while any is live. */
export const runsKeysQuery = (projectId: string, runs: string[], live: boolean) => {
  // The answer does not depend on the runs' order: one query whatever order they come in.
  const sorted = [...runs].sort();
  return queryOptions({
    queryKey: ["projects", projectId, "runs-keys", sorted],
    queryFn: () => fetchRunsKeys(projectId, sorted),
    refetchInterval: live ? RUN_POLL_MS : false,
  });
};
