import { useCallback } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { POLL_MS } from "../../queries/metrics";
import { runQuery, whileRunning } from "../../queries/runs";

/** Each run's latest known state, for the runs whose state was asked for. */
const statesOf = (results: UseQueryResult<Run>[]): Record<string, string> =>
  Object.fromEntries(results.flatMap((r) => (r.data ? [[r.data.id, r.data.state]] : [])));

/**
 * Which runs are live: listed as running and not yet seen to end. The state of each run listed as
 * running is asked for every 4 s until it has ended, so its charts stop polling then.
 */
export function useRunStates(runs: Run[]) {
  const states = useQueries({
    queries: runs.map((r) => ({
      ...runQuery(r.project_id, r.id),
      refetchInterval: whileRunning(POLL_MS),
      enabled: r.state === "running",
    })),
    combine: statesOf,
  });
  const isLive = useCallback((r: Run) => r.state === "running" && (states[r.id] ?? "running") === "running", [states]);
  return { isLive, live: runs.some(isLive) };
}
