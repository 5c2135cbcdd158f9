import { useMemo } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import { compareRuns, type CompareResult, type GroupBand } from "../../api/metrics";

/** Keys per compare request (the route's limit). */
const KEYS_PER_COMPARE = 100;

export interface GroupLines {
  /** The groups, in the server's order; each band is over every selected run of the group. */
  groups: GroupBand[];
  error: Error | undefined;
  pending: boolean;
}

const bandsOf = (results: UseQueryResult<CompareResult>[]): GroupLines => {
  // One request per 100 keys; a group's series from each are merged.
  const byValue = new Map<string, GroupBand>();
  for (const r of results) {
    for (const g of r.data?.groups ?? []) {
      const id = JSON.stringify(g.value ?? null);
      const prev = byValue.get(id);
      byValue.set(id, prev ? { ...prev, series: { ...prev.series, ...g.series } } : g);
    }
  }
  return {
    groups: [...byValue.values()],
    error: results.find((r) => r.error && !r.data)?.error ?? undefined,
    pending: results.some((r) => r.isPending),
  };
};

/**
 * The selected runs grouped by `groupBy`, one mean/min/max/std band per group and key, computed on
 * the server (POST /projects/{id}/metrics/query with group_by). Nothing is asked while `groupBy` is "".
 */
export function useGroupBands(projectId: string, runIds: string[], keys: string[], x: string, groupBy: string): GroupLines {
  const active = groupBy !== "" && runIds.length > 0;
  const chunks = useMemo(() => {
    const out: string[][] = [];
    if (active) for (let i = 0; i < keys.length; i += KEYS_PER_COMPARE) out.push(keys.slice(i, i + KEYS_PER_COMPARE));
    return out;
  }, [keys, active]);
  return useQueries({
    queries: chunks.map((k) => ({
      queryKey: ["projects", projectId, "group-bands", groupBy, x, runIds, k],
      queryFn: () => compareRuns(projectId, { runs: runIds, keys: k, x, group_by: groupBy, buckets: 500, stream: "history" }),
      staleTime: 10_000,
    })),
    combine: bandsOf,
  });
}
