import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { ErrorBanner } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { buildFilters, type FilterRow } from "../../shaping/fields";
import { FilterBar } from "../table/FilterBar";
import { TableGrid } from "./TableGrid";
import { initialTableState, pageQuery, sourceLabel, type TableSource, type TableState } from "./tableSource";

export interface TableRun {
  run: Run;
  /** The step whose table to show (nearest earlier when the run has none there). */
  step: number;
}

interface Props {
  tableKey: string;
  /** The runs that logged this key; several can be compared side by side or joined. */
  runs: TableRun[];
  projectId: string;
  height?: number;
}

type Mode = "side" | "join";

/**
 * A logged table (or the same key of several runs): server-side paging, sort (click a header),
 * filters in the runs table's language, group-by, media cells inline, and comparing runs side by
 * side or joined on a column.
 */
export function TableViewer({ tableKey, runs, projectId, height = 420 }: Props) {
  const [mode, setMode] = useState<Mode>("side");
  const [on, setOn] = useState("");
  const [sort, setSort] = useState<{ col: string | null; desc: boolean }>({ col: null, desc: false });
  const [rows, setRows] = useState<FilterRow[]>([]);
  const [groupBy, setGroupBy] = useState("");
  const active = useDebounced(
    rows.filter((r) => r.field && (r.value.trim() !== "" || r.op === "$exists")),
    300,
  );
  const filters = useMemo(() => buildFilters(active, ""), [active]);
  const comparing = runs.length > 1;
  const joined = comparing && mode === "join";

  // The columns the controls offer: the first run's table (one row is enough to name them).
  const schema = useQuery(pageQuery({ kind: "run", run: runs[0].run, key: tableKey, step: runs[0].step }, initialTableState(), 0, 1));
  const columns = useMemo(() => schema.data?.columns ?? [], [schema.data]);
  const scalar = columns.filter((c) => !c.kind.startsWith("media:") && c.kind !== "list" && c.kind !== "struct").map((c) => c.name);
  const joinOn = on && scalar.includes(on) ? on : (scalar[0] ?? "");

  const sources: TableSource[] = joined
    ? [{ kind: "join", projectId, runs: runs.map((r) => r.run), key: tableKey, step: null, on: joinOn }]
    : runs.map((r) => ({ kind: "run", run: r.run, key: tableKey, step: r.step }));
  // In a join, the filter fields are the joined columns (`<run>/<col>` and the join column).
  const joinSchema = useQuery({ ...pageQuery(sources[0], initialTableState(), 0, 1), enabled: joined && !!joinOn });
  const filterFields = joined ? (joinSchema.data?.columns.map((c) => c.name) ?? []) : columns.map((c) => c.name);
  const state: TableState = { sort: sort.col, desc: sort.desc, filters, groupBy: joined ? null : groupBy || null };
  // A click sorts ascending, then descending, then back to the logged order.
  const onSort = (col: string) =>
    setSort((s) => (s.col !== col ? { col, desc: false } : !s.desc ? { col, desc: true } : { col: null, desc: false }));
  const changeGroup = (g: string) => {
    setGroupBy(g);
    setSort({ col: null, desc: false });
  };
  const changeMode = (m: Mode) => {
    setMode(m);
    setRows([]);
    setSort({ col: null, desc: false });
  };

  return (
    <div className="table-viewer" data-table={tableKey}>
      <div className="tv-toolbar">
        {comparing && (
          <label>
            Compare{" "}
            <select value={mode} onChange={(e) => changeMode(e.target.value as Mode)} aria-label="Compare runs">
              <option value="side">side by side</option>
              <option value="join">joined on a column</option>
            </select>
          </label>
        )}
        {joined && (
          <label>
            on{" "}
            <select value={joinOn} onChange={(e) => setOn(e.target.value)} aria-label="Join column">
              {scalar.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
        )}
        {!joined && (
          <label>
            Group by{" "}
            <select value={groupBy} onChange={(e) => changeGroup(e.target.value)} aria-label="Group by column">
              <option value="">(none)</option>
              {scalar.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
        )}
        <FilterBar fields={filterFields} rows={rows} onChange={setRows} />
      </div>
      <ErrorBanner error={schema.error ?? joinSchema.error} />
      <div className={`tv-grids${sources.length > 1 ? " tv-side" : ""}`}>
        {sources.map((s) => (
          <div key={s.kind === "run" ? s.run.id : "join"} className="tv-grid-col">
            {sources.length > 1 || joined ? <div className="tv-grid-title">{sourceLabel(s)}</div> : null}
            <TableGrid key={JSON.stringify([state, s.kind === "join" ? s.on : ""])} source={s} state={state} onSort={onSort} height={height} />
          </div>
        ))}
      </div>
    </div>
  );
}
