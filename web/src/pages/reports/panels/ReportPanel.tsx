// One panel of a report's grid, drawn with the workspace's own components: a line panel is the
// workspace's MetricPanel (or GroupPanel when the run set is grouped), scatter its chart, run
// comparison its CompareTable, media its media panels, a table its table viewer, custom charts and
// parallel coordinates its chart view, markdown the sanitised markdown block. What reads more than
// the run list loads as its own chunk with the first such panel (lazyComponent), so the report
// view and the editor do not carry ECharts, the table viewer or the media panels.
import { useMemo } from "react";
import type { Run } from "../../../api/types";
import { runName } from "../../../api/runs";
import { lazyComponent } from "../../../components/lazyComponent";
import { Loading } from "../../../components/status";
import { colorOf } from "../../../shaping/colors";
import type { GroupBand } from "../../../api/metrics";
import { GroupPanel } from "../../workspace/GroupPanel";
import { MetricPanel } from "../../workspace/MetricPanel";
import type { RunSeries } from "../../workspace/useMetricData";
import { valueOf } from "../../table/columns";
import { SafeMarkdown } from "../render/SafeMarkdown";
import type { Panel } from "../spec";

import { chartOf, diffOnlyOf, mediaKeysOf, parallelKeysOf, sideBySideOf, stepOf, tableKeyOf } from "./panelConfig";

const ScatterChart = lazyComponent(() => import("../../../charts/ScatterChart"), "Loading panel");
const CompareTable = lazyComponent(() => import("../../workspace/CompareTable"), "Loading panel");
const MediaPanel = lazyComponent(() => import("./MediaPanel"), "Loading media");
const LoggedTablePanel = lazyComponent(() => import("./LoggedTablePanel"), "Loading table");
const CustomChartPanel = lazyComponent(() => import("./CustomChartPanel"), "Loading chart");
const ParallelPanel = lazyComponent(() => import("./ParallelPanel"), "Loading chart");
const SideBySidePanel = lazyComponent(() => import("./SideBySidePanel"), "Loading panel");

export interface PanelData {
  runs: Run[];
  colors: Record<string, number>;
  series: RunSeries;
  /** Step keys whose series have not arrived for every run yet (before the grid first drew). */
  pendingKeys: ReadonlySet<string>;
  groups: GroupBand[] | null;
  /** The first run set's project id (a chart over a logged table of a run outside the set reads there). */
  projectId: string | null;
}

/** What a panel's config names, read once per config (the panels memoise on it). */
function useParsed(panel: Panel) {
  const c = panel.config;
  return useMemo(
    () => ({
      media: mediaKeysOf(c),
      step: stepOf(c),
      table: tableKeyOf(c),
      chart: chartOf(c),
      parallel: parallelKeysOf(c),
      sideBySide: sideBySideOf(c),
    }),
    [c],
  );
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
/** The metric a line panel draws: config.metric, config.key or config.keys[0], else its title. */
export const metricOf = (p: Panel): string => {
  const c = p.config ?? {};
  const keys = Array.isArray(c.keys) ? c.keys : [];
  return str(c.metric) || str(c.key) || str(keys[0]) || p.title || "";
};

const num = (r: Run, f: string) => {
  const v = f ? valueOf(r, f) : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};

function BarPanel({ runs, colors, field }: { runs: Run[]; colors: Record<string, number>; field: string }) {
  const rows = runs.flatMap((r) => {
    const v = num(r, field);
    return v === null ? [] : [{ r, v }];
  });
  const max = Math.max(...rows.map((x) => Math.abs(x.v)), 0) || 1;
  if (!rows.length) return <div className="panel-empty muted small">No run has {field || "a value"}</div>;
  return (
    <table className="report-bars">
      <tbody>
        {rows.map(({ r, v }) => (
          <tr key={`${r.project_id}/${r.id}`}>
            <td className="report-bar-label">{runName(r)}</td>
            <td className="report-bar-cell">
              <i style={{ width: `${(Math.abs(v) / max) * 100}%`, background: colorOf(colors[r.id]) }} />
            </td>
            <td className="mono small">{v.toPrecision(4)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReportPanel({ panel, data }: { panel: Panel; data: PanelData }) {
  const c = panel.config ?? {};
  const parsed = useParsed(panel);
  const title = panel.title || panel.type.replace(/_/g, " ");
  switch (panel.type) {
    case "line": {
      const metric = metricOf(panel);
      const smoothing = typeof c.smoothing === "number" ? c.smoothing : 0;
      // log_y is the Python API's spelling (wanllmdb.apis.reports.LinePlot), logY the editor's.
      const logY = c.logY === true || c.log_y === true;
      if (data.groups)
        return <GroupPanel metric={metric} groups={data.groups} band="minmax" x="step" smoothing={smoothing} logY={logY} />;
      // Drawn once every run's series is in: a chart built run by run as answers arrive is rebuilt
      // each time (50 panels x 10 runs cost seconds of redraws before the report was ready).
      if (data.pendingKeys.has(metric)) return <Loading what="Loading metric" />;
      return <MetricPanel metric={metric} runs={data.runs} data={data.series} colors={data.colors} x="step" xParam="step" smoothing={smoothing} logY={logY} />;
    }
    case "scatter": {
      const x = str(c.x) || str(c.xKey);
      const y = str(c.y) || str(c.yKey);
      const points = data.runs.flatMap((r) => {
        const px = num(r, x);
        const py = num(r, y);
        return px === null || py === null ? [] : [{ x: px, y: py, color: colorOf(data.colors[r.id]), label: runName(r) }];
      });
      return <ScatterChart xLabel={x} yLabel={y} points={points} />;
    }
    case "bar":
      return <BarPanel runs={data.runs} colors={data.colors} field={str(c.key) || str(c.field) || str(Array.isArray(c.keys) ? c.keys[0] : "")} />;
    case "run_comparison":
      return <CompareTable runs={data.runs} colors={data.colors} diffOnly={diffOnlyOf(c)} />;
    case "markdown":
      return <SafeMarkdown source={str(c.markdown)} />;
    case "table":
      return <LoggedTablePanel runs={data.runs} tableKey={parsed.table} step={parsed.step} />;
    case "media":
      return <MediaPanel runs={data.runs} keys={parsed.media} step={parsed.step} />;
    case "custom_chart":
      return <CustomChartPanel choice={parsed.chart} runs={data.runs} projectId={data.projectId} title={title} />;
    case "parallel_coordinates":
      return <ParallelPanel keys={parsed.parallel} runs={data.runs} title={title} />;
    case "side_by_side":
      if (parsed.sideBySide.keys.some((k) => data.pendingKeys.has(k))) return <Loading what="Loading metrics" />;
      return (
        <SideBySidePanel
          runs={data.runs}
          ids={parsed.sideBySide.runs}
          keys={parsed.sideBySide.keys}
          series={data.series}
          colors={data.colors}
          smoothing={typeof c.smoothing === "number" ? c.smoothing : 0}
          logY={c.logY === true || c.log_y === true}
        />
      );
  }
}
