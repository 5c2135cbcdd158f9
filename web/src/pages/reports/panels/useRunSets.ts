// The runs of a panel grid's run sets, read from the same endpoints the workspace reads: each run
// set's project (an id or entity/project), its filters, sort and limit on the server, then its
// selection. While a listed run is running, the list is asked for again, unless the report is frozen.
import { useMemo } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import { getProjectByName } from "../../../api/projects";
import { fetchRuns } from "../../../api/runs";
import type { Run, RunPage } from "../../../api/types";
import type { RunSet } from "../spec";

/** The server's order string of a run set's first sort key: "-summary.loss" for descending. */
export const orderOf = (rs: RunSet): string | undefined => {
  const s = rs.sort?.[0];
  return s ? `${s.order === "desc" ? "-" : ""}${s.key}` : undefined;
};

/** The runs a run set shows, in the server's order: all of them, or only the selected ids. */
export function selectRuns(rs: RunSet, listed: Run[]): Run[] {
  if (rs.selection?.mode !== "selected") return listed;
  const ids = new Set(rs.selection.run_ids ?? []);
  return listed.filter((r) => ids.has(r.id));
}

/** How often a live report asks for its run sets again (the workspace's pace). */
const RUN_LIST_POLL_MS = 5_000;

export interface RunSetData {
  runs: Run[];
  /** run set id -> its runs */
  bySet: Record<string, Run[]>;
  /** the first run set's project id (grouped lines ask the server per project) */
  projectId: string | null;
  pending: boolean;
  error: unknown;
  live: boolean;
}

// Module-level, so useQueries keeps the combined result (and the pages' identity) while no answer
// changes: the grid's runs are then the same array, and its 50 charts are not handed new data.
const combineLists = (results: UseQueryResult<RunPage>[]) => ({
  pages: results.map((r) => r.data),
  pending: results.some((r) => r.isPending),
  error: results.find((r) => r.error && !r.data)?.error ?? null,
});

export function useRunSets(runSets: RunSet[], frozen: boolean): RunSetData {
  const byName = runSets.map((rs) => (rs.project.includes("/") ? rs.project : null));
  const projects = useQueries({
    queries: byName.map((name) => ({
      queryKey: ["projects", "by-name", ...(name ?? "").split("/")],
      queryFn: () => {
        const [entity, project] = (name ?? "").split("/");
        return getProjectByName(entity, project);
      },
      enabled: name !== null,
    })),
  });
  const ids = runSets.map((rs, i) => (byName[i] === null ? rs.project : (projects[i]?.data?.id ?? null)));
  const lists = useQueries({
    queries: runSets.map((rs, i) => ({
      queryKey: ["projects", ids[i], "runs", "report", rs.filters ?? null, orderOf(rs) ?? null, rs.limit ?? 50],
      queryFn: () => fetchRuns(ids[i]!, { filters: rs.filters ?? null, order: orderOf(rs), perPage: Math.min(rs.limit ?? 50, 200) }),
      enabled: ids[i] !== null,
      refetchInterval: (q: { state: { data?: RunPage } }) => (!frozen && q.state.data?.items.some((r) => r.state === "running") ? RUN_LIST_POLL_MS : false),
    })),
    combine: combineLists,
  });
  const { bySet, runs } = useMemo(() => {
    const bySet: Record<string, Run[]> = {};
    runSets.forEach((rs, i) => (bySet[rs.id] = selectRuns(rs, lists.pages[i]?.items ?? [])));
    const seen = new Set<string>();
    const runs = Object.values(bySet)
      .flat()
      .filter((r) => (seen.has(`${r.project_id}/${r.id}`) ? false : (seen.add(`${r.project_id}/${r.id}`), true)));
    return { bySet, runs };
  }, [runSets, lists.pages]);
  const error = projects.find((p) => p.error)?.error ?? lists.error;
  return {
    runs,
    bySet,
    projectId: ids[0] ?? null,
    pending: !error && (ids.some((id) => id === null) || lists.pending),
    error,
    live: !frozen && runs.some((r) => r.state === "running"),
  };
}
