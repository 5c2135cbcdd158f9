import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { fetchJoinedTables, fetchTablePage, MAX_TABLE_PAGE, type JoinQuery, type TablePage, type TableQuery } from "../api/tables";
import type { Run } from "../api/types";
import { appendRows, emptyFrame, type Frame } from "../shaping/frame";
import { runKey } from "./runs";

type RunRef = Pick<Run, "id" | "project_id">;

// Media cells carry presigned URLs that live `url_expires_s`: a page is fresh for half of that.
const freshFor = (q: { state: { data?: TablePage } }) => (q.state.data ? q.state.data.url_expires_s * 500 : 0);

export const tablePageQuery = (run: RunRef, q: TableQuery) =>
  queryOptions({
    queryKey: [...runKey(run), "table", q],
    queryFn: () => fetchTablePage(run, q),
    staleTime: freshFor,
    placeholderData: keepPreviousData,
  });

export const joinedPageQuery = (projectId: string, q: JoinQuery) =>
  queryOptions({
    queryKey: ["projects", projectId, "tables-join", q],
    queryFn: () => fetchJoinedTables(projectId, q),
    staleTime: freshFor,
    placeholderData: keepPreviousData,
  });

/** The most rows a chart reads from one table (200 requests of 1,000). */
export const MAX_CHART_ROWS = 200_000;
const IN_FLIGHT = 6;

export interface TableRows {
  frame: Frame;
  /** Rows the filters kept on the server; more than `frame.length` when capped. */
  matched: number;
  step: number;
}

/**
 * Every row of a table (up to MAX_CHART_ROWS) for a chart: the first page says how many match, the
 * rest are read a few pages at a time (the route serves 1,000 rows a request).
 */
export async function readTableRows(run: RunRef, key: string, step: number, filters: Record<string, unknown> | null, max = MAX_CHART_ROWS): Promise<TableRows> {
  const ask = (offset: number) => fetchTablePage(run, { key, step, offset, limit: MAX_TABLE_PAGE, filters });
  const first = await ask(0);
  const frame = emptyFrame(
    first.columns.map((c) => c.name),
    Object.fromEntries(first.columns.map((c) => [c.name, c.kind])),
  );
  appendRows(frame, first.rows);
  const wanted = Math.min(first.matched_rows, max);
  const offsets: number[] = [];
  for (let o = MAX_TABLE_PAGE; o < wanted; o += MAX_TABLE_PAGE) offsets.push(o);
  const pages: TablePage[] = new Array(offsets.length);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const k = next++;
      pages[k] = await ask(offsets[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, offsets.length) }, worker));
  for (const p of pages) appendRows(frame, p.rows);
  return { frame, matched: first.matched_rows, step: first.step };
}

export const tableRowsQuery = (run: RunRef, key: string, step: number, filters: Record<string, unknown> | null) =>
  queryOptions({
    queryKey: [...runKey(run), "table-rows", key, step, filters],
    queryFn: () => readTableRows(run, key, step, filters),
    // Tables never change once logged; media URLs in them are not what charts read.
    staleTime: Infinity,
  });
