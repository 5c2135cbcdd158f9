import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { lazyComponent } from "../../components/lazyComponent";
import { colorOf } from "../../shaping/colors";
import type { RunBrush } from "../../shaping/brush";
import type { ChartSpec } from "../../shaping/chartSpec";
import type { CustomPanel as PanelSpec } from "../../shaping/view";
import { valueOf } from "../table/columns";
import type { TableChoice } from "./charts/ChartEditor";

// Non-line panel types load their code only when a workspace shows one (custom charts then load
// ECharts, and echarts-gl only for 3D).
const ScatterChart = lazyComponent(() => import("../../charts/ScatterChart"), "Loading panel");
const HistogramChart = lazyComponent(() => import("../../charts/HistogramChart"), "Loading panel");
const CompareTable = lazyComponent(() => import("./CompareTable"), "Loading panel");
const ChartPanel = lazyComponent(() => import("./charts/ChartPanel"), "Loading chart");

/** What a custom chart needs from the workspace. */
export interface ChartContext {
  projectId: string;
  canSql: boolean;
  tables: TableChoice[];
  runFields: string[];
  brush: RunBrush;
  onBrush: (b: RunBrush) => void;
  onSpec: (panelId: string, spec: ChartSpec) => void;
}

interface Props {
  spec: PanelSpec;
  /** Every run listed in the workspace (scatter and histogram are across runs). */
  allRuns: Run[];
  selected: Run[];
  colors: Record<string, number>;
  charts: ChartContext;
}

export function CustomPanel({ spec, allRuns, selected, colors, charts }: Props) {
  const num = (r: Run, f?: string) => {
    const v = f ? valueOf(r, f) : undefined;
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  if (spec.type === "chart" && spec.chart)
    return (
      <ChartPanel
        spec={spec.chart}
        title={spec.title ?? "Custom chart"}
        projectId={charts.projectId}
        canSql={charts.canSql}
        tables={charts.tables}
        runFields={charts.runFields}
        brush={charts.brush}
        onBrush={charts.onBrush}
        onSpec={(s) => charts.onSpec(spec.id, s)}
      />
    );
  return (
    <>
      {spec.type === "compare" && <CompareTable runs={selected} colors={colors} />}
      {spec.type === "scatter" && (
        <ScatterChart
          xLabel={spec.xKey ?? ""}
          yLabel={spec.yKey ?? ""}
          points={allRuns.flatMap((r) => {
            const x = num(r, spec.xKey);
            const y = num(r, spec.yKey);
            return x === null || y === null ? [] : [{ x, y, color: colorOf(colors[r.id]), label: runName(r) }];
          })}
        />
      )}
      {spec.type === "histogram" && (
        <HistogramChart label={spec.key ?? ""} values={allRuns.map((r) => num(r, spec.key)).filter((v): v is number => v !== null)} />
      )}
    </>
  );
}
