// echarts-gl ships no types; these are the two entry points the 3D chunk uses (each export is an
// ECharts extension installer, as `echarts/charts` exports).
declare module "echarts-gl/charts" {
  import type { use } from "echarts/core";
  type Installer = Exclude<Parameters<typeof use>[0], unknown[]>;
  export const Scatter3DChart: Installer;
  export const SurfaceChart: Installer;
}
declare module "echarts-gl/components" {
  import type { use } from "echarts/core";
  type Installer = Exclude<Parameters<typeof use>[0], unknown[]>;
  export const Grid3DComponent: Installer;
}
