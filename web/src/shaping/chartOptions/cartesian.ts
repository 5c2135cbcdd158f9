// Line, scatter, bar, pie, histogram and box charts as ECharts options, from a frame's rows.
import type { ChartSpec } from "../chartSpec";
import { categories, isNumeric, labelOf, numberOf, type Frame } from "../frame";
import { axisFor, axisName, base, type BuildResult, cellFor, fmt, fmtScale, grid, heavy, LARGE, legend, skipped, splitBy, zoom, type Option } from "./common";

export function lineChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const x = spec.fields.x!;
  const y = spec.fields.y!;
  const xa = axisFor(frame, x, rows);
  const toX = cellFor(xa.numeric);
  let dropped = 0;
  const series = splitBy(frame, spec.fields.group, rows).map(([name, idx]) => {
    const pts: [number | string, number][] = [];
    for (const i of idx) {
      const xv = toX(frame.cols[x][i]);
      const yv = numberOf(frame.cols[y][i]);
      if (xv === null || yv === null) dropped++;
      else pts.push([xv, yv]);
    }
    if (xa.numeric) pts.sort((a, b) => (a[0] as number) - (b[0] as number));
    return { type: "line", name: name || y, data: pts, showSymbol: pts.length <= 60, symbolSize: 5, sampling: pts.length > LARGE ? "lttb" : undefined, ...heavy(pts.length) };
  });
  const many = series.length > 1;
  return {
    option: {
      ...base(),
      ...legend(many),
      ...grid(many),
      tooltip: { trigger: "axis", valueFormatter: fmt },
      xAxis: { ...xa.axis, ...axisName(x, "x") },
      yAxis: { type: spec.logY ? "log" : "value", scale: true, ...axisName(y, "y") },
      ...zoom(),
      series,
    },
    notes: skipped(dropped, `an x or a numeric y`),
  };
}

/** Scatter: one series per group (or per colour category); a numeric colour or size maps through a visual map. */
export function scatterChart(spec: ChartSpec, frame: Frame, rows: readonly number[], brushable = false): BuildResult {
  const { x, y, color, size } = spec.fields;
  const xa = axisFor(frame, x!, rows);
  const ya = axisFor(frame, y!, rows);
  const toX = cellFor(xa.numeric);
  const toY = cellFor(ya.numeric);
  const colorNumeric = !!color && isNumeric(frame, color);
  const group = spec.fields.group ?? (color && !colorNumeric ? color : undefined);
  const sizes = size ? rows.map((i) => numberOf(frame.cols[size][i])).filter((v): v is number => v !== null) : [];
  const [sLo, sHi] = sizes.length ? [Math.min(...sizes), Math.max(...sizes)] : [0, 0];
  const colors = colorNumeric ? rows.map((i) => numberOf(frame.cols[color!][i])).filter((v): v is number => v !== null) : [];
  let dropped = 0;
  const series = splitBy(frame, group, rows).map(([name, idx]) => {
    const pts: unknown[][] = [];
    for (const i of idx) {
      const xv = toX(frame.cols[x!][i]);
      const yv = toY(frame.cols[y!][i]);
      if (xv === null || yv === null) {
        dropped++;
        continue;
      }
      const p: unknown[] = [xv, yv];
      if (colorNumeric) p[2] = numberOf(frame.cols[color!][i]);
      if (size) p[3] = numberOf(frame.cols[size][i]);
      pts.push(p);
    }
    const big = pts.length > LARGE;
    return {
      type: "scatter",
      name: name || y,
      // Large numeric series go as one flat typed array (x, y[, colour] per point), which ECharts
      // reads without a per-point object, and draw squares, much cheaper than arcs: 100k points
      // draw in about a third of the time.
      ...(big && xa.numeric && ya.numeric ? packed(pts, colorNumeric) : { data: pts }),
      // Large mode draws one path with one symbol size; sizes apply below that.
      symbolSize: size && !big ? (p: unknown[]) => scale(p[3] as number | null, sLo, sHi) : big ? 3 : 7,
      itemStyle: { opacity: big ? 0.6 : 0.85 },
      ...heavy(pts.length),
    };
  });
  const many = series.length > 1;
  const option: Option = {
    ...base(),
    ...legend(many),
    ...grid(many),
    tooltip: { trigger: "item", formatter: (p: { seriesName: string; value: unknown[] }) => tip(spec, p) },
    xAxis: { ...xa.axis, ...axisName(x!, "x") },
    yAxis: { ...ya.axis, ...(spec.logY && ya.numeric ? { type: "log" } : {}), ...axisName(y!, "y") },
    ...zoom(),
    series,
  };
  if (colorNumeric && colors.length) {
    option.visualMap = { type: "continuous", formatter: fmtScale, dimension: 2, min: Math.min(...colors), max: Math.max(...colors), right: 0, top: "middle", itemHeight: 90, calculable: true, text: [color, ""], inRange: { color: ["#3b4cc0", "#dddddd", "#b40426"] } };
    (option.grid as Option).right = 70;
  }
  if (brushable) {
    option.brush = { toolbox: ["rect", "clear"], xAxisIndex: 0, throttleType: "debounce", throttleDelay: 200 };
    option.toolbox = { right: 8, top: 0, itemSize: 12, feature: { brush: { type: ["rect", "clear"], title: { rect: "Brush to filter runs", clear: "Clear brush" } } } };
  }
  return { option, notes: skipped(dropped, "a value for x and y") };
}

/** Points as one Float64Array of `dims` numbers each (a missing colour is NaN). */
function packed(pts: unknown[][], withColor: boolean): Option {
  const dims = withColor ? 3 : 2;
  const flat = new Float64Array(pts.length * dims);
  for (let k = 0; k < pts.length; k++) {
    const p = pts[k];
    flat[k * dims] = p[0] as number;
    flat[k * dims + 1] = p[1] as number;
    if (withColor) flat[k * dims + 2] = (p[2] as number | null) ?? NaN;
  }
  return { data: flat, dimensions: withColor ? ["x", "y", "c"] : ["x", "y"], symbol: "rect" };
}

function scale(v: number | null, lo: number, hi: number): number {
  if (v === null || hi <= lo) return 7;
  return 4 + ((v - lo) / (hi - lo)) * 20;
}

function tip(spec: ChartSpec, p: { seriesName: string; value: unknown[] }): string {
  const { x, y, color, size } = spec.fields;
  const lines = [`${esc(x!)}: ${esc(fmt(p.value[0]))}`, `${esc(y!)}: ${esc(fmt(p.value[1]))}`];
  if (color && p.value[2] != null) lines.push(`${esc(color)}: ${esc(fmt(p.value[2]))}`);
  if (size && p.value[3] != null) lines.push(`${esc(size)}: ${esc(fmt(p.value[3]))}`);
  return (p.seriesName && p.seriesName !== y ? `<b>${esc(p.seriesName)}</b><br/>` : "") + lines.join("<br/>");
}

/** Text placed in tooltip HTML: cells are user data. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sums of `value` (or row counts) per category and group. */
function sums(frame: Frame, rows: readonly number[], cat: string, value: string | undefined, group: string | undefined) {
  const cats = categories(frame, cat, rows);
  const groups = splitBy(frame, group, rows);
  const at = new Map(cats.map((c, i) => [c, i]));
  let dropped = 0;
  const out = groups.map(([name, idx]) => {
    const totals = new Array<number>(cats.length).fill(0);
    for (const i of idx) {
      const v = value ? numberOf(frame.cols[value][i]) : 1;
      if (v === null) dropped++;
      else totals[at.get(labelOf(frame.cols[cat][i]))!] += v;
    }
    return { name, totals };
  });
  return { cats, out, dropped };
}

export function barChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const { x, y, group } = spec.fields;
  const { cats, out, dropped } = sums(frame, rows, x!, y, group);
  const many = out.length > 1;
  return {
    option: {
      ...base(),
      ...legend(many),
      ...grid(many),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      xAxis: { type: "category", data: cats, ...axisName(x!, "x"), axisLabel: { hideOverlap: true } },
      yAxis: { type: spec.logY ? "log" : "value", ...axisName(y!, "y") },
      ...zoom(false),
      series: out.map((s) => ({ type: "bar", name: s.name || y, data: s.totals, stack: many ? "total" : undefined, large: cats.length > 2000 })),
    },
    notes: skipped(dropped, `a numeric ${y}`),
  };
}

export function pieChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const { x, y } = spec.fields;
  const { cats, out, dropped } = sums(frame, rows, x!, y, undefined);
  const data = cats.map((name, i) => ({ name, value: out[0].totals[i] })).filter((d) => d.value > 0);
  return {
    option: {
      ...base(),
      legend: { type: "scroll", orient: "vertical", right: 4, top: 8, bottom: 8 },
      tooltip: { trigger: "item", formatter: (p: { name: string; value: number; percent: number }) => `${esc(p.name)}: ${esc(fmt(p.value))} (${p.percent}%)` },
      series: [{ type: "pie", radius: ["30%", "68%"], center: ["40%", "52%"], data, label: { show: data.length <= 12 }, selectedMode: "single" }],
    },
    notes: [...skipped(dropped, `a numeric ${y}`), ...(data.length < cats.length ? [`${cats.length - data.length} categories with no positive value left out.`] : [])],
  };
}

/** Equal-width bins over the values' range; one series of counts per group, on a shared binning. */
export function histogramChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const x = spec.fields.x!;
  const bins = spec.bins ?? 30;
  const groups = splitBy(frame, spec.fields.group, rows).map(([name, idx]) => ({
    name,
    values: idx.map((i) => numberOf(frame.cols[x][i])).filter((v): v is number => v !== null),
  }));
  const all = groups.flatMap((g) => g.values);
  if (all.length === 0) return { error: `"${x}" has no numeric values to bin.` };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const labels = Array.from({ length: bins }, (_, b) => fmt(lo + b * width));
  const many = groups.length > 1;
  return {
    option: {
      ...base(),
      ...legend(many),
      ...grid(many),
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (ps: { dataIndex: number; seriesName: string; value: number }[]) =>
          [`${fmt(lo + ps[0].dataIndex * width)} – ${fmt(lo + (ps[0].dataIndex + 1) * width)}`, ...ps.map((p) => `${esc(p.seriesName)}: ${p.value}`)].join("<br/>"),
      },
      xAxis: { type: "category", data: labels, ...axisName(x, "x"), axisLabel: { hideOverlap: true } },
      yAxis: { type: spec.logY ? "log" : "value", ...axisName("count", "y") },
      ...zoom(false),
      series: groups.map((g) => {
        const counts = new Array<number>(bins).fill(0);
        for (const v of g.values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
        return { type: "bar", name: g.name || x, data: counts, barCategoryGap: "4%", barGap: many ? "0%" : undefined, itemStyle: { opacity: 0.85 } };
      }),
    },
    notes: skipped(rows.length - all.length, `a numeric ${x}`),
  };
}

/** The q-quantile of sorted values (linear between closest ranks, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i) : sorted[i];
}

/** Tukey boxes: quartiles, whiskers to the furthest value within 1.5 IQR, the rest drawn as outliers. */
export function boxStats(values: number[]): { box: [number, number, number, number, number]; outliers: number[] } {
  const s = [...values].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const med = quantile(s, 0.5);
  const q3 = quantile(s, 0.75);
  const fence = 1.5 * (q3 - q1);
  const inside = s.filter((v) => v >= q1 - fence && v <= q3 + fence);
  return { box: [inside[0], q1, med, q3, inside[inside.length - 1]], outliers: s.filter((v) => v < q1 - fence || v > q3 + fence) };
}

export function boxChart(spec: ChartSpec, frame: Frame, rows: readonly number[]): BuildResult {
  const y = spec.fields.y!;
  const cat = spec.fields.x;
  const groups = splitBy(frame, cat, rows)
    .map(([name, idx]) => ({ name: name || y, values: idx.map((i) => numberOf(frame.cols[y][i])).filter((v): v is number => v !== null) }))
    .filter((g) => g.values.length > 0);
  if (groups.length === 0) return { error: `"${y}" has no numeric values.` };
  const stats = groups.map((g) => boxStats(g.values));
  return {
    option: {
      ...base(),
      ...grid(false),
      tooltip: { trigger: "item" },
      xAxis: { type: "category", data: groups.map((g) => g.name), ...axisName(cat ?? "", "x") },
      yAxis: { type: spec.logY ? "log" : "value", scale: true, ...axisName(y, "y") },
      ...zoom(false),
      series: [
        { type: "boxplot", name: y, data: stats.map((s) => s.box) },
        { type: "scatter", name: "outliers", data: stats.flatMap((s, i) => s.outliers.map((v) => [i, v])), symbolSize: 5 },
      ],
    },
    notes: [],
  };
}
