// ECharts loads with the first chart that needs it, never with the dashboard; echarts-gl and the
// world shapes load only for a 3D chart or a geo map. Each is fetched once per page.
import type * as ECharts from "echarts/core";
import { WORLD_MAP } from "../../shaping/chartOptions";
import worldUrl from "./world.geo.json?url";

export type EChartsApi = typeof ECharts;

let core: Promise<EChartsApi> | null = null;
let gl: Promise<void> | null = null;
let world: Promise<ReadonlySet<string>> | null = null;

export function loadECharts(): Promise<EChartsApi> {
  core ??= import("./echartsBundle").then((m) => m.default);
  return core;
}

export function loadGL(): Promise<void> {
  gl ??= loadECharts().then(() => import("./echartsGL").then(() => undefined));
  return gl;
}

/** Registers the world's countries (a same-origin asset: the CSP allows no other) and names them. */
export function loadWorld(): Promise<ReadonlySet<string>> {
  world ??= Promise.all([loadECharts(), fetch(worldUrl).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`The world map could not be loaded (${r.status}).`))))]).then(
    ([echarts, geo]: [EChartsApi, { features: { properties: { name: string } }[] }]) => {
      echarts.registerMap(WORLD_MAP, geo as never);
      return new Set(geo.features.map((f) => f.properties.name));
    },
  );
  return world;
}
