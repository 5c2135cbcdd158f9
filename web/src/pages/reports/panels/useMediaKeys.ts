// The media keys of a panel's runs (GET /runs/{id}/media, the workspace's own query): which runs
// logged a key, its type, and the steps it has.
import { useMemo } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import type { MediaKey } from "../../../api/media";
import type { Run } from "../../../api/types";
import { mediaKeysQuery } from "../../../queries/media";

export interface RunMedia {
  run: Run;
  mk: MediaKey;
}

// Module-level, so useQueries keeps the combined result while no answer changes.
const combine = (results: UseQueryResult<MediaKey[]>[]) => ({
  lists: results.map((r) => r.data),
  pending: results.some((r) => r.isPending),
  error: results.find((r) => r.error && !r.data)?.error ?? null,
});

/** Each wanted key with the runs that logged it (in the runs' order); keys no run logged are left out. */
export function useMediaKeys(runs: Run[], keys: readonly string[]): { entries: { key: string; perRun: RunMedia[] }[]; pending: boolean; error: unknown } {
  const q = useQueries({ queries: runs.map((r) => mediaKeysQuery(r)), combine });
  // By value: a panel's config hands over a new list each render.
  const wanted = keys.join("\n");
  const entries = useMemo(() => {
    const byKey = new Map<string, RunMedia[]>(wanted.split("\n").map((k) => [k, []]));
    runs.forEach((run, i) => {
      for (const mk of q.lists[i] ?? []) byKey.get(mk.key)?.push({ run, mk });
    });
    return [...byKey].filter(([, perRun]) => perRun.length > 0).map(([key, perRun]) => ({ key, perRun }));
  }, [runs, wanted, q.lists]);
  return { entries, pending: q.pending, error: q.error };
}
