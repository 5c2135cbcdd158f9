// The 3D chunk: echarts-gl's scatter3D and surface on a 3D grid, registered on the ECharts core.
// Loaded only by a 3D chart; claygl's one run-time `new Function` is replaced at build time
// (vite.config.ts, cspSafeClaygl) so it draws under the dashboard's CSP (no eval).
import * as echarts from "echarts/core";
import { Scatter3DChart, SurfaceChart } from "echarts-gl/charts";
import { Grid3DComponent } from "echarts-gl/components";

echarts.use([Scatter3DChart, SurfaceChart, Grid3DComponent]);
