// A report's custom chart panel (and the chart over runs that parallel coordinates use), drawn by
// the workspace's chart view (ECharts, loaded with the first chart). Over runs, the rows are the
// run set's runs (not the whole project, as in a workspace); a chart over a logged table reads its
// rows from the server.
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { LATEST_STEP } from "../../../api/tables";
import type { Run } from "../../../api/types";
import ChartView from "../../../charts/ChartView";
import { ErrorBanner, Loading } from "../../../components/status";
import { tableRowsQuery } from "../../../queries/tables";
import { usedColumns, type ChartSpec } from "../../../shaping/chartSpec";
import { buildFilters } from "../../../shaping/fields";
import { allRows, keptRows } from "../../../shaping/frame";
import { presetsOf } from "../../../shaping/presets";
import { PresetChartView } from "../../workspace/charts/PresetSection";
import "../../workspace/charts/charts.css";
import { runsFrame, type ChartChoice } from "./panelConfig";

/** The most runs a logged chart (wandb.plot.*) is drawn for, one chart each. */
export const MAX_PRESET_RUNS = 6;

export const empty = (text: string) => <div className="panel-empty muted small">{text}</div>;

/** A chart over the run set's runs: one row per run with the fields the spec reads. */
export function RunsChart({ spec, runs, label }: { spec: ChartSpec; runs: Run[]; label: string }) {
  const fields = useMemo(() => [...new Set([...usedColumns(spec), ...(spec.filters ?? []).map((f) => f.field)])], [spec]);
  const frame = useMemo(() => runsFrame(runs, fields), [runs, fields]);
  const rows = useMemo(() => keptRows(frame, spec.filters ?? []), [frame, spec.filters]);
  if (runs.length === 0) return empty("No runs in this run set.");
  return <ChartView spec={spec} frame={frame} rows={rows} label={label} />;
}

function TableChart({ spec, source, runs, projectId, label }: { spec: ChartSpec; source: { run: string; key: string }; runs: Run[]; projectId: string | null; label: string }) {
  const filters = useMemo(() => buildFilters(spec.filters ?? [], ""), [spec.filters]);
  const owner = runs.find((r) => r.id === source.run)?.project_id ?? projectId ?? "";
  const q = useQuery({ ...tableRowsQuery({ id: source.run, project_id: owner }, source.key, LATEST_STEP, filters), enabled: !!owner });
  const rows = useMemo(() => (q.data ? allRows(q.data.frame) : []), [q.data]);
  if (!owner) return empty(`The run ${source.run} is not in this run set.`);
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!q.data) return <Loading what="Loading chart rows" />;
  return <ChartView spec={spec} frame={q.data.frame} rows={rows} label={label} />;
}

/** A custom chart: one logged with wanllmdb.plot.* (per run that logged it), or a chart spec. */
export default function CustomChartPanel({ choice, runs, projectId, title }: { choice: ChartChoice; runs: Run[]; projectId: string | null; title: string }) {
  if (!choice) return empty("Choose a logged chart (its key) or a chart type and fields.");
  if (choice.kind === "preset") {
    const logged = runs.flatMap((run) => presetsOf(run.config).flatMap((preset) => (preset.key === choice.key ? [{ run, preset }] : []))).slice(0, MAX_PRESET_RUNS);
    if (logged.length === 0) return empty(`No run in this run set logged a chart under ${choice.key}.`);
    return (
      <div className="report-chart-list">
        {logged.map(({ run, preset }) => (
          <div key={run.id} className="preset-run">
            {logged.length > 1 && <div className="media-run-name small muted">{run.name ?? run.id}</div>}
            <PresetChartView run={run} preset={preset} />
          </div>
        ))}
      </div>
    );
  }
  const { spec } = choice;
  if (spec.source.kind === "table") return <TableChart spec={spec} source={spec.source} runs={runs} projectId={projectId} label={title} />;
  return <RunsChart spec={spec} runs={runs} label={title} />;
}
