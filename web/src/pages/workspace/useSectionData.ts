import { useCallback, useMemo } from "react";
import { keepPreviousData, useQueries, type UseQueryResult } from "@tanstack/react-query";
import { SERIES_PER_REQUEST } from "../../api/batch";
import type { Run } from "../../api/types";
import { liveBatchQuery, settledBatchQuery } from "../../queries/batch";
import { panelAxis, xParamOf } from "../../shaping/axes";
import type { BatchChunk } from "../../shaping/arrowBatch";
import type { RunSeries } from "./useMetricData";

/** One request's share of a section: these runs' `keys` on axis `x`. */
export interface SectionPart {
  runs: string[];
  keys: string[];
  x: string;
}

/**
 * How a section's keys are asked for: grouped by the x axis each key is drawn on (a key whose runs
 * defined a step metric is read against it), then split so no request holds more than
 * SERIES_PER_REQUEST runs x keys. A section of 10 keys over 10 runs is one request.
 */
export function sectionParts(runs: Run[], ids: string[], keys: string[], x: string): SectionPart[] {
  if (ids.length === 0) return [];
  const byX = new Map<string, string[]>();
  for (const k of keys) {
    const kx = x === "step" ? xParamOf(panelAxis(runs, k, "step")) : x;
    byX.set(kx, [...(byX.get(kx) ?? []), k]);
  }
  const perKeys = Math.max(1, Math.floor(SERIES_PER_REQUEST / ids.length));
  const perRuns = Math.min(ids.length, SERIES_PER_REQUEST);
  const parts: SectionPart[] = [];
  for (const [kx, ks] of byX)
    for (let i = 0; i < ks.length; i += perKeys)
      for (let j = 0; j < ids.length; j += perRuns) parts.push({ runs: ids.slice(j, j + perRuns), keys: ks.slice(i, i + perKeys), x: kx });
  return parts;
}

/**
 * The series of one workspace section: one request for its runs that no longer change (read once,
 * cacheable), and per live run one request polled for new steps only. Nothing is asked while
 * `enabled` is false (the section is off screen or collapsed); what was read stays drawn.
 */
export function useSectionData(projectId: string, runs: Run[], keys: string[], x: string, isLive: (r: Run) => boolean, enabled: boolean) {
  const settled = useMemo(() => runs.filter((r) => !isLive(r)), [runs, isLive]);
  const live = useMemo(() => runs.filter(isLive), [runs, isLive]);
  const settledParts = useMemo(() => sectionParts(runs, settled.map((r) => r.id), keys, x), [runs, settled, keys, x]);
  const liveParts = useMemo(() => live.flatMap((r) => sectionParts(runs, [r.id], keys, x)), [runs, live, keys, x]);
  const combine = useCallback((results: UseQueryResult<BatchChunk>[]) => {
    const data: RunSeries = {};
    const warnings = new Set<string>();
    for (const r of results) {
      if (!r.data) continue;
      for (const [run, series] of Object.entries(r.data.series)) data[run] = { ...data[run], ...series };
      r.data.warnings.forEach((w) => warnings.add(w));
    }
    // A failed poll keeps what is drawn and is retried on the next tick; only a part that never
    // loaded is an error worth showing.
    const error = results.find((r) => r.error && !r.data)?.error ?? undefined;
    const loaded = results.length > 0 && results.every((r) => r.data !== undefined || r.error);
    return { data, error, warnings: [...warnings], loaded };
  }, []);
  return useQueries({
    queries: [
      // A run that ends moves from its live request into the settled one: the old answer stays drawn
      // until the new one arrives.
      ...settledParts.map((p) => ({ ...settledBatchQuery(projectId, p), enabled, placeholderData: keepPreviousData })),
      ...liveParts.map((p) => ({ ...liveBatchQuery(projectId, p.runs[0], p.keys, p.x), enabled })),
    ],
    combine,
  });
}
