// One row per run of a project with only the chosen fields, for charts over the runs table (10,000
// runs). Members read it with one SQL query over the `runs` table; readers (who may not use SQL)
// page through the runs listing, 200 runs a request.
import { queryOptions } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { fetchRuns } from "../api/runs";
import { runSql, sqlName, sqlText } from "../api/sql";
import type { Run } from "../api/types";
import { valueOf } from "../pages/table/columns";
import { appendRows, emptyFrame, type Frame } from "../shaping/frame";

/** The most runs a chart over runs reads (the SQL route's row limit). */
export const MAX_CHART_RUNS = 10_000;
/** Hidden columns every run frame has: the run's id and name. */
export const RUN_ID = "__run";
export const RUN_NAME = "__name";
const OWN = new Set(["name", "state", "group", "job_type", "created_at"]);

async function viaSql(projectId: string, fields: string[]): Promise<Frame> {
  const cols = fields.map(sqlName).join(", ");
  const query = `SELECT run, name${cols ? `, ${cols}` : ""} FROM runs WHERE project = ${sqlText(projectId)} ORDER BY created_at DESC`;
  const answer = await runSql(query, { limit: MAX_CHART_RUNS, projects: [projectId] });
  const frame = emptyFrame([RUN_ID, RUN_NAME, ...fields]);
  return appendRows(frame, answer.rows);
}

async function viaListing(projectId: string, fields: string[]): Promise<Frame> {
  const frame = emptyFrame([RUN_ID, RUN_NAME, ...fields]);
  let cursor: string | null = null;
  do {
    const page = await fetchRuns(projectId, { order: "-created_at", perPage: 200, cursor });
    appendRows(frame, page.items.map((r: Run) => [r.id, r.name ?? r.id, ...fields.map((f) => valueOf(r, f))]));
    cursor = page.next_cursor ?? null;
  } while (cursor && frame.length < MAX_CHART_RUNS);
  return frame;
}

/** The project's runs (newest first, at most 10,000) with `fields` (config.<path>, summary.<path>, name, state…). */
export const runFrameQuery = (projectId: string, fields: string[], sql: boolean) =>
  queryOptions({
    queryKey: ["projects", projectId, "run-frame", fields, sql],
    queryFn: async () => {
      if (!sql || !fields.every((f) => OWN.has(f) || f.startsWith("config.") || f.startsWith("summary."))) return viaListing(projectId, fields);
      try {
        return await viaSql(projectId, fields);
      } catch (e) {
        // Not a member after all (403): the listing serves readers too.
        if (e instanceof ApiError && e.status === 403) return viaListing(projectId, fields);
        throw e;
      }
    },
    staleTime: 30_000,
    enabled: fields.length > 0,
  });
