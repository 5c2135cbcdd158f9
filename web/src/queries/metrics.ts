import { queryOptions } from "@tanstack/react-query";
import { fetchMetrics, listMetricKeys } from "../api/metrics";
import type { Run } from "../api/types";
import { mergeTail, seriesFromApi, type Series } from "../shaping/series";
import { runKey } from "./runs";

type RunRef = Pick<Run, "id" | "project_id">;

/** How often the workspace asks a live run for new steps. */
export const POLL_MS = 4000;
/** The SDK samples system metrics every 10 s by default; asking more often finds nothing new. */
export const SYSTEM_POLL_MS = 10_000;
/** Keys per metrics request: 50 panels x 10 runs cost 20 requests, not 500. */
export const KEYS_PER_REQUEST = 40;

/** Some keys of one run, drawable. */
export interface MetricChunk {
  series: Record<string, Series>;
  /** The last step the server had; the next read asks only for steps after it. */
  lastStep: number | null;
  /** Lake objects the server could not read and skipped: shown, so a gap is never silent. */
  warnings: string[];
}

/**
 * Reads `keys` of a run in full or, given the chunk read before, only the steps after its last
 * one, merged into it. History is append-only, so polling a live run fetches new points only.
 * Resolves to `prev` itself when nothing is new, so nothing downstream redraws.
 */
export async function readMetricChunk(run: RunRef, keys: string[], x: string, prev?: MetricChunk): Promise<MetricChunk> {
  const after = prev?.lastStep ?? null;
  const res = await fetchMetrics(run, keys, x, after === null ? {} : { after_step: after });
  const lastStep = typeof res.last_step === "number" ? Math.max(after ?? -1, res.last_step) : after;
  const warnings = res.warnings ?? [];
  if (!prev || after === null) return { series: Object.fromEntries(keys.map((k) => [k, seriesFromApi(res.series[k])])), lastStep, warnings };
  const series = { ...prev.series };
  let changed = lastStep !== prev.lastStep;
  for (const k of keys) {
    const tail = seriesFromApi(res.series[k]);
    if (tail.x.length === 0) continue;
    series[k] = mergeTail(prev.series[k] ?? tail, tail);
    changed = true;
  }
  const seen = new Set([...prev.warnings, ...warnings]);
  if (seen.size > prev.warnings.length) changed = true;
  return changed ? { series, lastStep, warnings: [...seen] } : prev;
}

/** `keys` of one run on x axis `x`: polled for new steps while `live`, fetched once otherwise. */
export const metricChunkQuery = (run: RunRef, keys: string[], x: string, live: boolean) =>
  queryOptions({
    queryKey: [...runKey(run), "metrics", x, keys],
    queryFn: ({ client, queryKey }) => readMetricChunk(run, keys, x, client.getQueryData<MetricChunk>(queryKey)),
    // The chunk keeps its identity when nothing is new; deep-comparing 40 x 1000-point series would cost more.
    structuralSharing: false,
    // A finished run's history no longer changes: not asked for again on focus.
    staleTime: live ? 0 : Infinity,
    refetchInterval: live ? POLL_MS : false,
  });

/** One metric over [min, max] at full resolution, for a zoomed chart. */
export const metricRangeQuery = (run: RunRef, metric: string, x: string, min: number, max: number) =>
  queryOptions({
    queryKey: [...runKey(run), "metric-range", x, metric, min, max],
    queryFn: async () => seriesFromApi((await fetchMetrics(run, [metric], x, { min, max })).series[metric]),
    structuralSharing: false,
    staleTime: Infinity,
  });

export interface SystemMetrics {
  keys: string[];
  series: Record<string, Series>;
}

async function readSystemMetrics(run: RunRef): Promise<SystemMetrics> {
  const keys = await listMetricKeys(run, "system");
  if (keys.length === 0) return { keys, series: {} };
  const res = await fetchMetrics(run, keys, "ts", { stream: "system" });
  return { keys, series: Object.fromEntries(keys.map((k) => [k, seriesFromApi(res.series[k])])) };
}

/** A run's system metrics (CPU, memory, GPU…) on wall-clock time, refreshed every 10 s while the run is live. */
export const systemMetricsQuery = (run: Pick<Run, "id" | "project_id" | "state">) =>
  queryOptions({
    queryKey: [...runKey(run), "system"],
    queryFn: () => readSystemMetrics(run),
    structuralSharing: false,
    refetchInterval: run.state === "running" ? SYSTEM_POLL_MS : false,
  });
