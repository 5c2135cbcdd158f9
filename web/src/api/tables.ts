import { api, unwrap } from "./client";
import type { paths } from "./schema";
import type { Run } from "./types";

type RunRef = Pick<Run, "id" | "project_id">;
type JsonOk<R> = R extends { responses: { 200: { content: { "application/json": infer T } } } } ? T : never;
export type TablePage = JsonOk<paths["/api/runs/{run_id}/table"]["get"]>;
export type TableColumn = TablePage["columns"][number];

/** The largest page the table routes serve. */
export const MAX_TABLE_PAGE = 1000;

export interface TableQuery {
  key: string;
  /** The table at this step, or the nearest earlier one. */
  step: number;
  offset: number;
  limit: number;
  sort?: string | null;
  desc?: boolean;
  /** The runs table's JSON filter language over the table's columns. */
  filters?: Record<string, unknown> | null;
  groupBy?: string | null;
}

/** One page of a logged Table, sorted, filtered or grouped on the server (GET /runs/{id}/table). */
export function fetchTablePage(run: RunRef, q: TableQuery): Promise<TablePage> {
  return unwrap(
    api.GET("/api/runs/{run_id}/table", {
      params: {
        path: { run_id: run.id },
        query: {
          key: q.key,
          step: q.step,
          offset: q.offset,
          limit: q.limit,
          sort: q.sort || undefined,
          desc: q.desc || undefined,
          filters: q.filters ? JSON.stringify(q.filters) : undefined,
          group_by: q.groupBy || undefined,
          project_id: run.project_id,
        },
      },
    }),
  );
}

export interface JoinQuery {
  runs: string[];
  key: string;
  step?: number | null;
  on: string;
  offset: number;
  limit: number;
  sort?: string | null;
  desc?: boolean;
  filters?: Record<string, unknown> | null;
}

/** The same table key of several runs full-joined on one column (`<run name>/<col>` columns), one page. */
export function fetchJoinedTables(projectId: string, q: JoinQuery): Promise<TablePage> {
  return unwrap(
    api.POST("/api/projects/{project_id}/tables/join", {
      params: { path: { project_id: projectId } },
      body: {
        runs: q.runs,
        key: q.key,
        step: q.step ?? null,
        on: q.on,
        offset: q.offset,
        limit: q.limit,
        sort: q.sort || null,
        desc: !!q.desc,
        filters: q.filters ? JSON.stringify(q.filters) : null,
      },
    }),
  );
}

/** "The latest table": the route answers with the nearest step at or before this one. */
export const LATEST_STEP = Number.MAX_SAFE_INTEGER;
