import { infiniteQueryOptions, keepPreviousData, queryOptions } from "@tanstack/react-query";
import { fetchRunGroups, fetchRuns, getRun, listRunFiles, type GroupQuery, type RunQuery } from "../api/runs";
import { listMetricKeys, type MetricStream } from "../api/metrics";
import type { Run } from "../api/types";

type RunRef = Pick<Run, "id" | "project_id">;

/** How often an open run page asks whether a live run has changed (state, summary). */
export const RUN_POLL_MS = 10_000;

/**
 * A `refetchInterval` that polls every `ms` while the run is `running` and stops once it is not:
 * a finished, failed or crashed run does not change, so asking again only costs the server.
 */
export const whileRunning =
  (ms: number) =>
  (query: { state: { data?: Pick<Run, "state"> } }): number | false =>
    query.state.data?.state === "running" ? ms : false;

export const runKey = (run: RunRef) => ["runs", run.project_id, run.id] as const;

/** One run, polled while it is live. Run ids are unique per project, so the project is part of the key. */
export const runQuery = (projectId: string, runId: string) =>
  queryOptions({
    queryKey: runKey({ id: runId, project_id: projectId }),
    queryFn: () => getRun(projectId, runId),
    refetchInterval: whileRunning(RUN_POLL_MS),
  });

/** One page of a project's runs (filtered and sorted on the server). */
export const runListQuery = (projectId: string, q: RunQuery) =>
  queryOptions({
    queryKey: ["projects", projectId, "runs", q],
    queryFn: () => fetchRuns(projectId, q),
    placeholderData: keepPreviousData,
  });

/** The runs table: pages of 200 (the most the route serves), fetched as the table scrolls. */
export const runPagesQuery = (projectId: string, q: Omit<RunQuery, "cursor" | "perPage">) =>
  infiniteQueryOptions({
    queryKey: ["projects", projectId, "runs", "pages", q],
    queryFn: ({ pageParam }) => fetchRuns(projectId, { ...q, perPage: 200, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // A refetch re-reads every loaded page (50 of them for 10,000 runs): the table refreshes when
    // opened again or when the query changes, not whenever the window regains focus.
    refetchOnWindowFocus: false,
  });

/** The project's runs grouped on the server (counts, mean/min/max per column), for the grouped table. */
export const runGroupsQuery = (projectId: string, q: GroupQuery) =>
  queryOptions({
    queryKey: ["projects", projectId, "runs", "groups", q],
    queryFn: () => fetchRunGroups(projectId, q),
    placeholderData: keepPreviousData,
  });

export const runFilesQuery = (run: RunRef) =>
  queryOptions({ queryKey: [...runKey(run), "files"], queryFn: () => listRunFiles(run) });

export const metricKeysQuery = (run: RunRef, stream: MetricStream) =>
  queryOptions({ queryKey: [...runKey(run), "metric-keys", stream], queryFn: () => listMetricKeys(run, stream) });
