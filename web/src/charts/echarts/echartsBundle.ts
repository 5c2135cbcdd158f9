// The ECharts chunk: the core plus only the chart types and components the custom charts use
// (tree-shaken; the full build is about three times the size). Imported only through load.ts.
import * as echarts from "echarts/core";
import { BarChart, BoxplotChart, GraphChart, HeatmapChart, LineChart, MapChart, ParallelChart, PieChart, SankeyChart, ScatterChart } from "echarts/charts";
import {
  BrushComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  ParallelComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  BoxplotChart,
  GraphChart,
  HeatmapChart,
  LineChart,
  MapChart,
  ParallelChart,
  PieChart,
  SankeyChart,
  ScatterChart,
  BrushComponent,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  ParallelComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export default echarts;
