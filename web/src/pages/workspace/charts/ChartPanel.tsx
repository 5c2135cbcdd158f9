// The custom chart panel: reads its rows (a logged table, paged from the server with the filters
// applied there, or the project's runs with the chosen fields), draws the chart, and edits its spec.
import { useCallback, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { LATEST_STEP } from "../../../api/tables";
import ChartView from "../../../charts/ChartView";
import { ErrorBanner, Loading } from "../../../components/status";
import { useDebounced } from "../../../hooks/useDebounced";
import { runFrameQuery } from "../../../queries/runFrame";
import { tableRowsQuery } from "../../../queries/tables";
import { inBrush, withAxisSelection, type RunBrush } from "../../../shaping/brush";
import { mappingProblem, usedColumns, type ChartSpec } from "../../../shaping/chartSpec";
import { buildFilters } from "../../../shaping/fields";
import { allRows, categories, isNumeric, keptRows, type Frame } from "../../../shaping/frame";
import { ChartEditor, type TableChoice } from "./ChartEditor";
import "./charts.css";

export interface ChartPanelProps {
  spec: ChartSpec;
  projectId: string;
  /** Whether the caller may use SQL (members): one request for 10,000 runs instead of 50 pages. */
  canSql: boolean;
  tables: TableChoice[];
  /** Run fields the editor offers for the runs source (config.<path>, summary.<path>, …). */
  runFields: string[];
  brush: RunBrush;
  onBrush: (b: RunBrush) => void;
  onSpec: (spec: ChartSpec) => void;
  title: string;
}

const OWN_FIELDS = ["name", "state", "group", "job_type"];

export default function ChartPanel({ spec, projectId, canSql, tables, runFields, brush, onBrush, onSpec, title }: ChartPanelProps) {
  const [editing, setEditing] = useState(() => mappingProblem(spec, spec.source.kind === "runs" ? [...OWN_FIELDS, ...runFields] : usedColumns(spec)) !== null);
  const src = spec.source;
  // A table's filters go to the server: typed values settle for a moment before the rows are read again.
  const typed = useDebounced(spec.filters, 400);
  const filters = useMemo(() => (src.kind === "table" ? buildFilters(typed ?? [], "") : null), [src.kind, typed]);
  const table = useQuery({
    ...tableRowsQuery({ id: src.kind === "table" ? src.run : "", project_id: projectId }, src.kind === "table" ? src.key : "", LATEST_STEP, filters),
    enabled: src.kind === "table",
  });
  // Runs: only the fields the chart uses, its filters name, and the workspace's brush (which a
  // chart that does not brush follows) are read.
  const followed = spec.brush ? "" : Object.keys(brush).sort().join("\n");
  const wanted = useMemo(
    () => [...new Set([...usedColumns(spec), ...(spec.filters ?? []).map((f) => f.field), ...followed.split("\n")])].filter(Boolean).sort(),
    [spec, followed],
  );
  const runs = useQuery({ ...runFrameQuery(projectId, wanted, canSql), enabled: src.kind === "runs" && wanted.length > 0 });
  const frame: Frame | undefined = src.kind === "table" ? table.data?.frame : runs.data;
  const rows = useMemo(() => {
    if (!frame) return [];
    if (src.kind === "table") return allRows(frame);
    const kept = keptRows(frame, spec.filters ?? []);
    // A chart that does not brush follows the workspace's brush, as the line charts do.
    if (spec.brush || Object.keys(brush).length === 0) return kept;
    const known = Object.fromEntries(Object.entries(brush).filter(([f]) => f in frame.cols));
    return kept.filter((i) => inBrush(known, (f) => frame.cols[f][i]));
  }, [frame, src.kind, spec.filters, spec.brush, brush]);
  const columns = src.kind === "runs" ? [...OWN_FIELDS, ...runFields] : (frame?.columns ?? []);
  const ctx = useMemo(() => ({ brush: spec.brush ? brush : undefined, brushable: !!spec.brush }), [spec.brush, brush]);

  const onAxisSelect = useCallback(
    (axis: number, intervals: [number, number][]) => {
      const dim = spec.dims?.[axis];
      if (!dim || !frame) return;
      const cats = isNumeric(frame, dim) ? null : categories(frame, dim, rows);
      onBrush(withAxisSelection(brush, dim, intervals, cats));
    },
    [spec.dims, frame, rows, brush, onBrush],
  );
  const onRect = useCallback(
    (range: [[number, number], [number, number]] | null) => {
      const { x, y } = spec.fields;
      if (!x || !y) return;
      const next = { ...brush };
      delete next[x];
      delete next[y];
      if (range) {
        next[x] = { ranges: [range[0]] };
        next[y] = { ranges: [range[1]] };
      }
      onBrush(next);
    },
    [spec.fields, brush, onBrush],
  );

  const error = src.kind === "table" ? table.error : runs.error;
  const capped = src.kind === "table" && table.data && table.data.matched > table.data.frame.length;
  return (
    <div className="chart-panel" data-chart-panel={spec.type}>
      <div className="chart-panel-bar">
        {src.kind === "table" ? <span className="small muted mono">{src.key}</span> : <span className="small muted">runs{frame ? ` · ${rows.length.toLocaleString()} shown` : ""}</span>}
        {capped && <span className="small muted"> · first {table.data!.frame.length.toLocaleString()} of {table.data!.matched.toLocaleString()} rows</span>}
        <span className="grow" />
        <button className="btn btn-small btn-ghost" onClick={() => setEditing((e) => !e)} aria-expanded={editing} aria-label={`Edit ${title}`}>
          {editing ? "Done" : "Edit"}
        </button>
      </div>
      {editing && <ChartEditor spec={spec} columns={columns} tables={tables} onChange={onSpec} />}
      <ErrorBanner error={error} />
      {!frame && !error ? (
        wanted.length === 0 && src.kind === "runs" ? (
          <div className="chart-problem" role="alert" data-chart-problem="">
            Choose the run fields to draw.
          </div>
        ) : (
          <Loading what="Loading rows" />
        )
      ) : frame ? (
        <div className="chart-panel-body">
          <ChartView
            spec={spec}
            frame={frame}
            rows={rows}
            ctx={ctx}
            label={title}
            onAxisSelect={spec.brush && spec.type === "parallel" ? onAxisSelect : undefined}
            onRect={spec.brush && spec.type === "scatter" ? onRect : undefined}
          />
        </div>
      ) : null}
    </div>
  );
}
