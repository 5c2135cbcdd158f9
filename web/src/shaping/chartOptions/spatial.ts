// The geo map (countries by name, on the world shapes shipped with the dashboard) and 3D scatter or
// surface (echarts-gl) as ECharts options.
import type { ChartSpec } from "../chartSpec";
import { isNumeric, labelOf, numberOf, type Frame } from "../frame";
import { base, type BuildResult, fmt, fmtScale, skipped, type Option } from "./common";
import { esc } from "./cartesian";

export const WORLD_MAP = "world";

/** Values summed per country; names the shapes do not know are listed in a note, not dropped silently. */
export function geoChart(spec: ChartSpec, frame: Frame, rows: readonly number[], known?: ReadonlySet<string>): BuildResult {
  const { x, y } = spec.fields;
  const sums = new Map<string, number>();
  let dropped = 0;
  for (const i of rows) {
    const name = frame.cols[x!][i];
    const v = numberOf(frame.cols[y!][i]);
    if (name == null || v === null) {
      dropped++;
      continue;
    }
    const k = labelOf(name);
    sums.set(k, (sums.get(k) ?? 0) + v);
  }
  const unknown = known ? [...sums.keys()].filter((n) => !known.has(n)) : [];
  const values = [...sums.values()];
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const notes = skipped(dropped, `a country and a numeric ${y}`);
  if (unknown.length) notes.push(`No country is named ${unknown.slice(0, 5).map((n) => `"${n}"`).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""} (names are Natural Earth's, e.g. "United States of America").`);
  return {
    option: {
      ...base(),
      tooltip: { trigger: "item", formatter: (p: { name: string; value: number }) => `${esc(p.name)}: ${Number.isFinite(p.value) ? fmt(p.value) : "no value"}` },
      visualMap: { type: "continuous", formatter: fmtScale, min: lo, max: hi === lo ? lo + 1 : hi, left: 8, bottom: 8, itemHeight: 90, calculable: true, text: [y, ""], inRange: { color: ["#e0ecf8", "#6aa2d8", "#08306b"] } },
      series: [
        {
          type: "map",
          map: WORLD_MAP,
          roam: true,
          name: y,
          scaleLimit: { min: 0.8, max: 20 },
          itemStyle: { areaColor: "#f2f3f5", borderColor: "#aab0b8", borderWidth: 0.4 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: "#f5a623" } },
          data: [...sums.entries()].map(([name, value]) => ({ name, value })),
        },
      ],
    },
    notes,
    geo: true,
  };
}

/**
 * A surface needs z at every (x, y) of a grid: the distinct xs by the distinct ys, in order. The
 * grid as [x, y, z] rows x-major, or the first missing pair.
 */
export function surfaceGrid(points: readonly [number, number, number][]): { data: [number, number, number][] } | { missing: [number, number]; xs: number; ys: number } {
  const xs = [...new Set(points.map((p) => p[0]))].sort((a, b) => a - b);
  const ys = [...new Set(points.map((p) => p[1]))].sort((a, b) => a - b);
  const z = new Map(points.map((p) => [`${p[0]},${p[1]}`, p[2]]));
  const data: [number, number, number][] = [];
  for (const x of xs)
    for (const y of ys) {
      const v = z.get(`${x},${y}`);
      if (v === undefined) return { missing: [x, y], xs: xs.length, ys: ys.length };
      data.push([x, y, v]);
    }
  return { data };
}

export function threeDChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const { x, y, z, color } = spec.fields;
  for (const c of [x!, y!, z!]) if (!isNumeric(frame, c)) return { error: `3D charts need numbers on every axis; "${c}" is not numeric.` };
  const pts: [number, number, number][] = [];
  const colors: (number | null)[] = [];
  const colorNumeric = !!color && isNumeric(frame, color);
  for (const i of rows) {
    const p = [numberOf(frame.cols[x!][i]), numberOf(frame.cols[y!][i]), numberOf(frame.cols[z!][i])];
    if (p.some((v) => v === null)) continue;
    pts.push(p as [number, number, number]);
    if (colorNumeric) colors.push(numberOf(frame.cols[color!][i]));
  }
  const notes = skipped(rows.length - pts.length, "numeric x, y and z");
  const axis = (name: string): Option => ({ name, type: "value", scale: true, nameTextStyle: { fontSize: 11 } });
  let series: Option;
  if (spec.surface) {
    const grid = surfaceGrid(pts);
    if ("missing" in grid)
      return { error: `A surface needs a z at every (x, y) of its ${grid.xs} × ${grid.ys} grid; there is none at (${fmt(grid.missing[0])}, ${fmt(grid.missing[1])}). Draw it as a 3D scatter instead.` };
    series = { type: "surface", data: grid.data, shading: "color", wireframe: { show: grid.data.length <= 2500, lineStyle: { opacity: 0.3 } } };
  } else {
    series = { type: "scatter3D", data: colorNumeric ? pts.map((p, k) => [...p, colors[k]]) : pts, symbolSize: pts.length > 20000 ? 2 : 5, itemStyle: { opacity: 0.85 } };
  }
  const zs = spec.surface ? pts.map((p) => p[2]) : colors.filter((v): v is number => v !== null);
  const option: Option = {
    ...base(),
    tooltip: { trigger: "item" },
    grid3D: { viewControl: { projection: "perspective", autoRotate: false, distance: 220 }, boxWidth: 100, boxDepth: 100, boxHeight: 70, light: { main: { intensity: 1.2 }, ambient: { intensity: 0.5 } } },
    xAxis3D: axis(x!),
    yAxis3D: axis(y!),
    zAxis3D: axis(z!),
    series: [series],
  };
  if (zs.length) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of zs) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    option.visualMap = { type: "continuous", formatter: fmtScale, dimension: spec.surface ? 2 : 3, min: lo, max: hi === lo ? lo + 1 : hi, right: 4, top: "middle", itemHeight: 100, calculable: true, text: [spec.surface ? z : color, ""], inRange: { color: ["#313695", "#74add1", "#fee090", "#f46d43", "#a50026"] } };
  }
  return { option, notes, gl: true };
}
