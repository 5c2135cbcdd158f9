// One panel of a report's grid, drawn with the workspace's own components: a line panel is the
// workspace's MetricPanel (or GroupPanel when the run set is grouped), scatter and histogram its
// charts, run comparison its CompareTable, markdown the sanitised markdown block.
import type { Run } from "../../../api/types";
import { runName } from "../../../api/runs";
import { lazyComponent } from "../../../components/lazyComponent";
import { colorOf } from "../../../shaping/colors";
import type { GroupBand } from "../../../api/metrics";
import { GroupPanel } from "../../workspace/GroupPanel";
import { MetricPanel } from "../../workspace/MetricPanel";
import type { RunSeries } from "../../workspace/useMetricData";
import { valueOf } from "../../table/columns";
import { SafeMarkdown } from "../render/SafeMarkdown";
import type { Panel } from "../spec";

const ScatterChart = lazyComponent(() => import("../../../charts/ScatterChart"), "Loading panel");
const CompareTable = lazyComponent(() => import("../../workspace/CompareTable"), "Loading panel");

export interface PanelData {
  runs: Run[];
  colors: Record<string, number>;
  series: RunSeries;
  groups: GroupBand[] | null;
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
  switch (panel.type) {
    case "line": {
      const metric = metricOf(panel);
      const smoothing = typeof c.smoothing === "number" ? c.smoothing : 0;
      // log_y is the Python API's spelling (wanllmdb.apis.reports.LinePlot), logY the editor's.
      const logY = c.logY === true || c.log_y === true;
      if (data.groups)
        return <GroupPanel metric={metric} groups={data.groups} band="minmax" x="step" smoothing={smoothing} logY={logY} />;
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
      return <CompareTable runs={data.runs} colors={data.colors} />;
    case "markdown":
      return <SafeMarkdown source={str(c.markdown)} />;
    case "table":
      return <CompareTable runs={data.runs} colors={data.colors} />;
    default:
      // media, custom charts, parallel coordinates and side-by-side read more than a run list:
      // until the report grid hosts them, the panel says where they live.
      return (
        <div className="panel-empty muted small report-panel-note">
          A {panel.type.replace(/_/g, " ")} panel: open the workspace to see it live.
        </div>
      );
  }
}
