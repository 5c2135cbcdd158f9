import type { Run } from "../../api/types";
import { queryOptions } from "@tanstack/react-query";
import type { TablePage } from "../../api/tables";
import { joinedPageQuery, tablePageQuery } from "../../queries/tables";

/** What a grid pages through: one run's table, or the same key of several runs joined on a column. */
export type TableSource =
  | { kind: "run"; run: Run; key: string; step: number }
  | { kind: "join"; projectId: string; runs: Run[]; key: string; step: number | null; on: string };

/** What the server applies to every page: the sort, the filters and the grouping. */
export interface TableState {
  sort: string | null;
  desc: boolean;
  filters: Record<string, unknown> | null;
  groupBy: string | null;
}

export const initialTableState = (): TableState => ({ sort: null, desc: false, filters: null, groupBy: null });

/** The query of the rows [offset, offset + limit) of `source` under `state`. */
export function pageQuery(source: TableSource, state: TableState, offset: number, limit: number) {
  // One shape for both routes (their keys differ), so a grid holds either.
  const o =
    source.kind === "run" ? tablePageQuery(source.run, { key: source.key, step: source.step, offset, limit, sort: state.sort, desc: state.desc, filters: state.filters, groupBy: state.groupBy })
      : joinedPageQuery(source.projectId, {
    runs: source.runs.map((r) => r.id),
    key: source.key,
    step: source.step,
    on: source.on,
    offset,
    limit,
    sort: state.sort,
    desc: state.desc,
    filters: state.filters,
  });
  return queryOptions<TablePage, Error, TablePage, readonly unknown[]>({ ...(o as object), queryKey: o.queryKey, queryFn: o.queryFn as () => Promise<TablePage> });
}

export const sourceLabel = (s: TableSource): string => (s.kind === "run" ? (s.run.name ?? s.run.id) : `joined on ${s.on}`);
