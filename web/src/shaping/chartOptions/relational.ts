// Heatmap, network graph, sankey and parallel coordinates as ECharts options.
import type { ChartSpec } from "../chartSpec";
import { categories, isNumeric, labelOf, numberOf, type Frame } from "../frame";
import { PALETTE } from "../colors";
import { axisName, base, type BuildResult, fmt, fmtScale, skipped, type Option } from "./common";
import { esc } from "./cartesian";

/** Sums (or counts) of `value` per (x, y) category pair; cells are labelled when there are few. */
export function heatmapChart(spec: ChartSpec, frame: Frame, rows: readonly number[], opts: { matrix?: boolean } = {}): BuildResult {
  const { x, y, color } = spec.fields;
  const xs = categories(frame, x!, rows);
  const ys = categories(frame, y!, rows);
  const xi = new Map(xs.map((c, i) => [c, i]));
  const yi = new Map(ys.map((c, i) => [c, i]));
  const cells = new Map<number, number>();
  let dropped = 0;
  for (const i of rows) {
    const v = color ? numberOf(frame.cols[color][i]) : 1;
    if (v === null) {
      dropped++;
      continue;
    }
    const k = xi.get(labelOf(frame.cols[x!][i]))! * ys.length + yi.get(labelOf(frame.cols[y!][i]))!;
    cells.set(k, (cells.get(k) ?? 0) + v);
  }
  const data = [...cells.entries()].map(([k, v]) => [Math.floor(k / ys.length), k % ys.length, v]);
  const values = data.map((d) => d[2]);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  return {
    option: {
      ...base(),
      grid: { left: 90, right: 80, top: 16, bottom: 56 },
      tooltip: {
        trigger: "item",
        formatter: (p: { value: number[] }) => `${esc(y!)}: ${esc(ys[p.value[1]])}<br/>${esc(x!)}: ${esc(xs[p.value[0]])}<br/>${esc(color ?? "count")}: ${fmt(p.value[2])}`,
      },
      xAxis: { type: "category", data: xs, ...axisName(x!, "x"), splitArea: { show: true }, axisLabel: { hideOverlap: true } },
      // A confusion matrix reads top to bottom, the first class first, as wandb draws it.
      yAxis: { type: "category", data: ys, inverse: !!opts.matrix, name: y, nameLocation: "middle", nameGap: 70, splitArea: { show: true } },
      visualMap: { type: "continuous", formatter: fmtScale, min: lo, max: hi === lo ? lo + 1 : hi, calculable: true, right: 4, top: "middle", itemHeight: 120, inRange: { color: ["#f3f6fb", "#8fb3e8", "#1d4f9c"] } },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
      series: [{ type: "heatmap", name: color ?? "count", data, label: { show: xs.length * ys.length <= 400, formatter: (p: { value: number[] }) => fmt(p.value[2]) }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } }, progressive: 0 }],
    },
    notes: skipped(dropped, `a numeric ${color}`),
  };
}

/** Edges summed per (source, target); nodes sized by their weighted degree. */
function edges(frame: Frame, rows: readonly number[], src: string, dst: string, weight: string | undefined) {
  const sum = new Map<string, { source: string; target: string; value: number }>();
  let dropped = 0;
  for (const i of rows) {
    const s = frame.cols[src][i];
    const t = frame.cols[dst][i];
    const w = weight ? numberOf(frame.cols[weight][i]) : 1;
    if (s == null || t == null || w === null) {
      dropped++;
      continue;
    }
    const source = labelOf(s);
    const target = labelOf(t);
    const k = JSON.stringify([source, target]);
    const e = sum.get(k) ?? { source, target, value: 0 };
    e.value += w;
    sum.set(k, e);
  }
  return { links: [...sum.values()], dropped };
}

export function graphChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const { x, y, size, group } = spec.fields;
  const { links, dropped } = edges(frame, rows, x!, y!, size);
  const degree = new Map<string, number>();
  for (const l of links) for (const n of [l.source, l.target]) degree.set(n, (degree.get(n) ?? 0) + Math.abs(l.value));
  const cat = new Map<string, string>();
  if (group) for (const i of rows) cat.set(labelOf(frame.cols[x!][i]), labelOf(frame.cols[group][i]));
  const cats = [...new Set(cat.values())];
  const maxDeg = Math.max(1, ...degree.values());
  const maxW = Math.max(1e-12, ...links.map((l) => Math.abs(l.value)));
  const nodes = [...degree.keys()].map((name) => ({
    name,
    value: degree.get(name),
    symbolSize: 8 + 22 * Math.sqrt(degree.get(name)! / maxDeg),
    category: group ? Math.max(0, cats.indexOf(cat.get(name) ?? "")) : undefined,
  }));
  return {
    option: {
      ...base(),
      legend: cats.length > 1 ? { type: "scroll", top: 0, data: cats } : undefined,
      tooltip: { trigger: "item", formatter: (p: { dataType: string; data: { name?: string; source?: string; target?: string; value?: number } }) => (p.dataType === "edge" ? `${esc(p.data.source!)} → ${esc(p.data.target!)}: ${fmt(p.data.value)}` : `${esc(p.data.name!)} (weight ${fmt(p.data.value)})`) },
      series: [
        {
          type: "graph",
          layout: nodes.length > 400 ? "circular" : "force",
          force: { repulsion: 160, edgeLength: [40, 120], gravity: 0.08 },
          roam: true,
          draggable: true,
          label: { show: nodes.length <= 60, position: "right", fontSize: 11 },
          edgeSymbol: ["none", "arrow"],
          edgeSymbolSize: 6,
          categories: group ? cats.map((name) => ({ name })) : undefined,
          data: nodes,
          links: links.map((l) => ({ ...l, lineStyle: { width: 0.5 + 3.5 * (Math.abs(l.value) / maxW), opacity: 0.6 } })),
          emphasis: { focus: "adjacency" },
        },
      ],
    },
    notes: skipped(dropped, "a source, a target and a numeric weight"),
  };
}

/** A cycle in the flows, as the names along it, or null: ECharts' sankey cannot lay one out. */
export function findCycle(links: readonly { source: string; target: string }[]): string[] | null {
  const out = new Map<string, string[]>();
  for (const l of links) out.set(l.source, [...(out.get(l.source) ?? []), l.target]);
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    path.push(n);
    for (const m of out.get(n) ?? []) {
      if (state.get(m) === 1) return [...path.slice(path.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    path.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of out.keys()) if (!state.has(n)) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

export function sankeyChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const { x, y, size } = spec.fields;
  const { links: all, dropped } = edges(frame, rows, x!, y!, size);
  const links = all.filter((l) => l.source !== l.target && l.value > 0);
  const cycle = findCycle(links);
  if (cycle) return { error: `A sankey's flows cannot loop back, and these do: ${cycle.join(" → ")}. Filter the rows or choose other columns.` };
  const names = [...new Set(links.flatMap((l) => [l.source, l.target]))];
  return {
    option: {
      ...base(),
      tooltip: { trigger: "item", formatter: (p: { dataType: string; data: { name?: string; source?: string; target?: string; value?: number }; value: number }) => (p.dataType === "edge" ? `${esc(p.data.source!)} → ${esc(p.data.target!)}: ${fmt(p.data.value)}` : `${esc(p.data.name!)}: ${fmt(p.value)}`) },
      series: [
        {
          type: "sankey",
          left: 16,
          right: 110,
          top: 16,
          bottom: 16,
          data: names.map((name, i) => ({ name, itemStyle: { color: PALETTE[i % PALETTE.length] } })),
          links,
          emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
          label: { fontSize: 11 },
        },
      ],
    },
    notes: [...skipped(dropped, "a source, a target and a numeric flow"), ...skipped(all.length - links.length, "a positive flow between two different nodes")],
  };
}

/** The value ranges (or categories) a parallel axis keeps, as the workspace's brush stores them. */
export interface AxisBrush {
  ranges?: [number, number][];
  values?: string[];
}

/**
 * One line per row across the chosen axes (numeric axes are value axes, others category axes);
 * `color` maps through a visual map. Rows outside a brushed axis are dimmed by ECharts itself.
 */
export function parallelChart(spec: ChartSpec, frame: Frame, rows: readonly number[], brush: Record<string, AxisBrush> = {}): BuildResult {
  const dims = spec.dims ?? [];
  const color = spec.fields.color;
  const numeric = dims.map((d) => isNumeric(frame, d));
  const cats = dims.map((d, j) => (numeric[j] ? [] : categories(frame, d, rows)));
  const colorNumeric = !!color && isNumeric(frame, color);
  const data: unknown[][] = new Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const row: unknown[] = dims.map((d, j) => (numeric[j] ? numberOf(frame.cols[d][i]) : labelOf(frame.cols[d][i])));
    if (colorNumeric) row.push(numberOf(frame.cols[color!][i]));
    data[k] = row;
  }
  const colorValues = colorNumeric ? (data.map((r) => r[dims.length]).filter((v) => typeof v === "number") as number[]) : [];
  const option: Option = {
    ...base(),
    parallel: { left: 48, right: colorNumeric ? 150 : 60, top: 36, bottom: 28, parallelAxisDefault: { nameLocation: "end", nameGap: 12, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 10, hideOverlap: true } } },
    parallelAxis: dims.map((d, j) => ({
      // EChart reads the axis index back from the id in the brush event; brushing reports on release.
      id: `axis-${j}`,
      realtime: false,
      dim: j,
      name: d,
      ...(numeric[j] ? { type: "value", scale: true } : { type: "category", data: cats[j] }),
      areaSelectStyle: { width: 16, opacity: 0.3 },
    })),
    tooltip: { trigger: "item", formatter: (p: { value: unknown[] }) => dims.map((d, j) => `${esc(d)}: ${esc(fmt(p.value[j]))}`).join("<br/>") },
    series: [
      {
        type: "parallel",
        // Unbrushed lines fade out instead of vanishing, so the brushed ones read against the rest.
        inactiveOpacity: 0.04,
        activeOpacity: rows.length > 2000 ? 0.5 : 0.8,
        lineStyle: { width: rows.length > 2000 ? 0.6 : 1.2, opacity: rows.length > 2000 ? 0.35 : 0.6, color: PALETTE[0] },
        progressive: 0,
        smooth: false,
        data,
      },
    ],
  };
  if (colorNumeric && colorValues.length) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of colorValues) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    option.visualMap = { type: "continuous", formatter: fmtScale, dimension: dims.length, min: lo, max: hi === lo ? lo + 1 : hi, right: 4, top: "middle", itemHeight: 100, calculable: true, text: [color, ""], inRange: { color: ["#3b4cc0", "#bbbbbb", "#b40426"] } };
  }
  // A saved brush is applied after the chart is set up (EChart dispatches axisAreaSelect), so the
  // intervals are kept here for it.
  option.__brush = dims.map((d, j) => brushIntervals(brush[d], numeric[j], cats[j]));
  return { option, notes: [] };
}

/** A stored brush as an axis' intervals: value ranges, or a category axis' runs of chosen indices. */
export function brushIntervals(b: AxisBrush | undefined, numeric: boolean, cats: readonly string[]): [number, number][] {
  if (!b) return [];
  if (numeric) return b.ranges ?? [];
  const picked = new Set(b.values ?? []);
  const out: [number, number][] = [];
  cats.forEach((c, i) => {
    if (!picked.has(c)) return;
    const last = out[out.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  });
  return out;
}
