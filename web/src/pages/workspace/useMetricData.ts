import { useEffect, useRef, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { Run } from "../../api/types";
import { mergeTail, seriesFromApi, type Series } from "../../shaping/series";

export const BUCKETS = 1000;
export const POLL_MS = 4000;
const KEYS_PER_REQUEST = 40;

export type RunSeries = Record<string, Record<string, Series>>;

export function fetchMetrics(
  run: Pick<Run, "id" | "project_id">,
  keys: string[],
  x: string,
  extra: { min?: number; max?: number; after_step?: number; stream?: "history" | "system" } = {},
) {
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

/**
 * Loads every chart's series for the selected runs: one request per run (per 40 keys), not one
 * per panel, so 50 panels × 10 runs cost 20 requests. Running runs are polled for new steps only
 * (after_step), and the tail is merged into what is drawn.
 */
export function useMetricData(runs: Run[], keys: string[], x: string) {
  const [data, setData] = useState<RunSeries>({});
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const [states, setStates] = useState<Record<string, string>>({});
  // Lake objects the server could not read and skipped: shown, so a gap is never silent.
  const [warnings, setWarnings] = useState<string[]>([]);
  const lastStep = useRef<Record<string, number>>({});
  const runKey = runs.map((r) => r.id).join(",");
  const keyKey = keys.join(",");

  useEffect(() => {
    let live = true;
    lastStep.current = {};
    setData({});
    setError(undefined);
    setWarnings([]);
    if (!runKey || !keyKey) return;
    setLoading(true);
    const groups: string[][] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) groups.push(keys.slice(i, i + KEYS_PER_REQUEST));
    // Answers arrive one per run and key group; applying them in batches (every 150 ms) redraws
    // each panel a few times instead of once per answer.
    let pending: RunSeries = {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const batch = pending;
      pending = {};
      if (live) setData((d) => {
        const next = { ...d };
        for (const [id, series] of Object.entries(batch)) next[id] = { ...next[id], ...series };
        return next;
      });
    };
    const jobs = runs.flatMap((r) =>
      groups.map(async (g) => {
        const res = await fetchMetrics(r, g, x);
        if (!live) return;
        if (res.warnings?.length) setWarnings((w) => [...new Set([...w, ...res.warnings!])]);
        const mine: Record<string, Series> = {};
        for (const k of g) mine[k] = seriesFromApi(res.series[k]);
        if (typeof res.last_step === "number") lastStep.current[r.id] = Math.max(lastStep.current[r.id] ?? -1, res.last_step);
        pending[r.id] = { ...pending[r.id], ...mine };
        timer ??= setTimeout(flush, 150);
      }),
    );
    Promise.allSettled(jobs).then((results) => {
      if (!live) return;
      if (timer) clearTimeout(timer);
      flush();
      const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
      if (failed) setError(failed.reason as Error);
      setLoading(false);
    });
    setStates(Object.fromEntries(runs.map((r) => [r.id, r.state])));
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
    // runKey and keyKey stand for runs and keys.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runKey, keyKey, x]);

  // Live runs: every few seconds fetch only steps after the last one drawn, and the run's state.
  useEffect(() => {
    if (!runKey || !keyKey) return;
    const timer = setInterval(async () => {
      const liveRuns = runs.filter((r) => (states[r.id] ?? r.state) === "running");
      for (const r of liveRuns) {
        try {
          const after = lastStep.current[r.id];
          const res = await fetchMetrics(r, keys.slice(0, 200), x, after === undefined ? {} : { after_step: after });
          if (typeof res.last_step === "number") lastStep.current[r.id] = Math.max(after ?? -1, res.last_step);
          setData((d) => {
            const cur = { ...d[r.id] };
            let changed = false;
            for (const [k, s] of Object.entries(res.series)) {
              const tail = seriesFromApi(s);
              if (tail.x.length === 0) continue;
              cur[k] = after === undefined ? tail : mergeTail(cur[k] ?? tail, tail);
              changed = true;
            }
            return changed ? { ...d, [r.id]: cur } : d;
          });
          const fresh = await unwrap(
            api.GET("/api/runs/{run_id}", { params: { path: { run_id: r.id }, query: { project_id: r.project_id } } }),
          );
          if (fresh.state !== "running") setStates((st) => ({ ...st, [r.id]: fresh.state }));
        } catch {
          // A missed poll is retried on the next tick; the charts keep what they have.
        }
      }
    }, POLL_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runKey, keyKey, x, states]);

  return { data, error, loading, states, warnings };
}
