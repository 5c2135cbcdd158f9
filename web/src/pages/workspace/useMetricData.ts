import { useCallback, useEffect, useMemo } from "react";
import { useQueries, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { useThrottled } from "../../hooks/useThrottled";
import { KEYS_PER_REQUEST, metricChunkQuery, type MetricChunk } from "../../queries/metrics";
import { runKey } from "../../queries/runs";
import type { Series } from "../../shaping/series";
import { panelAxis, xParamOf } from "../../shaping/axes";
import { useRunStates } from "./useRunStates";

export type RunSeries = Record<string, Record<string, Series>>;

interface Part {
  run: Run;
  x: string;
  keys: string[];
}

/**
 * Loads every chart's series for the selected runs: one query per run per 40 keys, not one per
 * panel, so 50 panels x 10 runs cost 20 requests. A run that was running when listed has its
 * state polled every 4 s; while it is still running its queries are polled for new steps only
 * (after_step), merged into what is drawn, and once it has ended they stop, after a last read.
 * On the step axis, a key whose runs defined a step metric (define_metric) is read against it.
 */
export function useMetricData(runs: Run[], keys: string[], x: string) {
  const client = useQueryClient();
  const { isLive } = useRunStates(runs);

  const parts = useMemo<Part[]>(() => {
    const byX = new Map<string, string[]>();
    for (const k of keys) {
      const kx = x === "step" ? xParamOf(panelAxis(runs, k, "step")) : x;
      byX.set(kx, [...(byX.get(kx) ?? []), k]);
    }
    const groups: [string, string[]][] = [];
    for (const [kx, ks] of byX) for (let i = 0; i < ks.length; i += KEYS_PER_REQUEST) groups.push([kx, ks.slice(i, i + KEYS_PER_REQUEST)]);
    return runs.flatMap((run) => groups.map(([kx, g]) => ({ run, x: kx, keys: g })));
  }, [runs, keys, x]);
  const combine = useCallback(
    (results: UseQueryResult<MetricChunk>[]) => {
      const data: RunSeries = {};
      const warnings = new Set<string>();
      parts.forEach((p, i) => {
        const chunk = results[i]?.data;
        if (!chunk) return;
        data[p.run.id] = { ...data[p.run.id], ...chunk.series };
        chunk.warnings.forEach((w) => warnings.add(w));
      });
      // A failed poll keeps what is drawn and is retried on the next tick; only a chunk that never
      // loaded is an error worth showing.
      const error = results.find((r) => r.error && !r.data)?.error ?? undefined;
      return { data, error, warnings: [...warnings] };
    },
    [parts],
  );
  const metrics = useQueries({ queries: parts.map((p) => metricChunkQuery(p.run, p.keys, p.x, isLive(p.run))), combine });

  // A run that has just ended may have logged steps since the last poll: read them once more.
  const ended = runs.filter((r) => r.state === "running" && !isLive(r)).map((r) => r.id);
  const endedKey = ended.join(",");
  useEffect(() => {
    if (!endedKey) return;
    const ids = new Set(endedKey.split(","));
    for (const r of runs) if (ids.has(r.id)) void client.invalidateQueries({ queryKey: [...runKey(r), "metrics"] });
  }, [endedKey, runs, client]);

  // Answers arrive one per run and key group; applying them at most every 150 ms redraws each
  // panel a few times instead of once per answer.
  const data = useThrottled(metrics.data, 150);
  return { data, error: metrics.error, warnings: metrics.warnings, live: runs.some(isLive) };
}
