import { api, unwrap } from "./client";
import type { FileList, LogPage, Run, RunGroups, RunPage } from "./types";

type RunRef = Pick<Run, "id" | "project_id">;

export interface RunQuery {
  state?: string;
  tag?: string;
  filters?: Record<string, unknown> | null;
  order?: string;
  perPage?: number;
  cursor?: string | null;
  /** Only the trials of this sweep. */
  sweep?: string;
}

/** One page of GET /projects/{id}/runs; filtering and sorting happen on the server. */
export function fetchRuns(projectId: string, q: RunQuery = {}): Promise<RunPage> {
  return unwrap(
    api.GET("/api/projects/{project_id}/runs", {
      params: {
        path: { project_id: projectId },
        query: {
          state: q.state || undefined,
          tag: q.tag || undefined,
          filters: q.filters ? JSON.stringify(q.filters) : undefined,
          order: q.order || undefined,
          per_page: q.perPage ?? 50,
          cursor: q.cursor || undefined,
          sweep: q.sweep || undefined,
        },
      },
    }),
  );
}

export interface GroupQuery {
  /** The field to group by: group, job_type, tags, any run column, config.<path>. */
  by: string;
  filters?: Record<string, unknown> | null;
  /** Numeric fields to summarise per group (mean/min/max). */
  columns?: string[];
}

/** GET /projects/{id}/runs/groups: the runs the filters match, grouped on the server with counts and stats. */
export function fetchRunGroups(projectId: string, q: GroupQuery): Promise<RunGroups> {
  return unwrap(
    api.GET("/api/projects/{project_id}/runs/groups", {
      params: {
        path: { project_id: projectId },
        query: {
          by: q.by,
          filters: q.filters ? JSON.stringify(q.filters) : undefined,
          columns: q.columns ? q.columns.join(",") : undefined,
        },
      },
    }),
  );
}

/** One run; run ids are unique per project, so the project is named too. */
export function getRun(projectId: string, runId: string): Promise<Run> {
  return unwrap(api.GET("/api/runs/{run_id}", { params: { path: { run_id: runId }, query: { project_id: projectId } } }));
}

/** Changes a run's tags or notes; resolves to the run as stored. */
export function updateRun(run: RunRef, body: { notes?: string; tags?: string[] }): Promise<Run> {
  return unwrap(api.PATCH("/api/runs/{run_id}", { params: { path: { run_id: run.id }, query: { project_id: run.project_id } }, body }));
}

export function listRunFiles(run: RunRef): Promise<FileList> {
  return unwrap(api.GET("/api/runs/{run_id}/files", { params: { path: { run_id: run.id }, query: { project_id: run.project_id } } }));
}

/** Up to `limit` console lines from `offset` of the (optionally searched) log; next_offset is null at the end. */
export function readRunLogs(run: RunRef, q: { offset: number; limit: number; search?: string }): Promise<LogPage> {
  return unwrap(
    api.GET("/api/runs/{run_id}/logs", {
      params: {
        path: { run_id: run.id },
        query: { offset: q.offset, limit: q.limit, search: q.search || undefined, project_id: run.project_id },
      },
    }),
  );
}

export const runName = (r: { name?: string | null; id: string }) => r.name || r.id;

/**
 * The ids of a project's runs in the runs table's default order (newest first), up to `limit`, a
 * page of 200 at a time: what "Show all" selects in a workspace (up to 1,000 runs drawn at once).
 */
export async function fetchRunIds(projectId: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: RunPage = await fetchRuns(projectId, { order: "-created_at", perPage: 200, cursor });
    ids.push(...page.items.map((r) => r.id));
    cursor = page.next_cursor;
  } while (cursor && ids.length < limit);
  return ids.slice(0, limit);
}
