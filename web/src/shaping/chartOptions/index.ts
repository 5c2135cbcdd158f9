// One entry point from a chart spec and its rows to an ECharts option, or the reason it cannot draw.
import { mappingProblem, type ChartSpec } from "../chartSpec";
import type { Frame } from "../frame";
import { barChart, boxChart, histogramChart, lineChart, pieChart, scatterChart } from "./cartesian";
import type { BuildResult } from "./common";
import { geoChart, threeDChart } from "./spatial";
import { graphChart, heatmapChart, parallelChart, sankeyChart, type AxisBrush } from "./relational";

export type { AxisBrush } from "./relational";
export type { BuildResult, Built, Option } from "./common";
export { brushIntervals, findCycle } from "./relational";
export { boxStats, quantile } from "./cartesian";
export { surfaceGrid, WORLD_MAP } from "./spatial";

export interface BuildContext {
  /** The workspace's brush (parallel coordinates over runs show it). */
  brush?: Record<string, AxisBrush>;
  /** Scatter over runs: a rectangle brush filters the workspace. */
  brushable?: boolean;
  /** Country names the world shapes know, to name the ones they do not. */
  countries?: ReadonlySet<string>;
  /** Draw the heatmap as a matrix (first category at the top). */
  matrix?: boolean;
}

export function buildChart(spec: ChartSpec, frame: Frame, rows: readonly number[], ctx: BuildContext = {}): BuildResult {
  const problem = mappingProblem(spec, frame.columns);
  if (problem) return { error: problem };
  if (rows.length === 0) return { error: frame.length === 0 ? "There are no rows to draw." : "No row passes the filter." };
  switch (spec.type) {
    case "line":
      return lineChart(spec, frame, rows);
    case "scatter":
      return scatterChart(spec, frame, rows, ctx.brushable);
    case "bar":
      return barChart(spec, frame, rows);
    case "pie":
      return pieChart(spec, frame, rows);
    case "histogram":
      return histogramChart(spec, frame, rows);
    case "box":
      return boxChart(spec, frame, rows);
    case "heatmap":
      return heatmapChart(spec, frame, rows, { matrix: ctx.matrix });
    case "3d":
      return threeDChart(spec, frame, rows);
    case "geo":
      return geoChart(spec, frame, rows, ctx.countries);
    case "graph":
      return graphChart(spec, frame, rows);
    case "sankey":
      return sankeyChart(spec, frame, rows);
    case "parallel":
      return parallelChart(spec, frame, rows, ctx.brush);
  }
}
