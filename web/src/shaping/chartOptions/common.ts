// Pieces every chart option shares: the palette, axes that zoom and pan, the range slider, tooltips.
import { PALETTE } from "../colors";
import { formatValue } from "../fields";
import type { ChartSpec } from "../chartSpec";
import { categories, isNumeric, labelOf, numberOf, type Frame } from "../frame";

/** An ECharts option: plain JSON-like objects (functions allowed), built without importing ECharts. */
export type Option = Record<string, unknown>;

export interface Built {
  option: Option;
  /** Things the reader should know (rows left out, names that matched no country). */
  notes: string[];
  /** Needs echarts-gl (its own chunk). */
  gl?: boolean;
  /** Needs the world map registered. */
  geo?: boolean;
}

export type BuildResult = Built | { error: string };

/** Above this many points a series draws in ECharts' large mode (one path, no per-point hover shapes). */
export const LARGE = 5000;

export const base = (): Option => ({
  animation: false,
  color: PALETTE,
  textStyle: { fontFamily: "inherit" },
});

export const legend = (shown: boolean): Option => (shown ? { legend: { type: "scroll", top: 0, left: 40, right: 40 } } : {});

/** Wheel zooms, drag pans (the inside zooms), and a slider under the x axis selects a range. */
export const zoom = (withY = true): Option => ({
  dataZoom: [
    { type: "inside", xAxisIndex: 0, filterMode: "none" },
    ...(withY ? [{ type: "inside", yAxisIndex: 0, filterMode: "none" }] : []),
    { type: "slider", xAxisIndex: 0, filterMode: "none", height: 14, bottom: 6 },
  ],
});

export const grid = (hasLegend: boolean): Option => ({ grid: { left: 56, right: 24, top: hasLegend ? 34 : 16, bottom: 52, containLabel: false } });

export const axisName = (name: string, where: "x" | "y"): Option =>
  where === "x" ? { name, nameLocation: "middle", nameGap: 24 } : { name, nameLocation: "end", nameGap: 8, nameTextStyle: { align: "left" } };

export const fmt = (v: unknown): string => (typeof v === "number" ? formatValue(v) : labelOf(v));

/** Rows split by the group column's value (one series each), in the group's category order; one group without it. */
export function splitBy(frame: Frame, column: string | undefined, rows: readonly number[]): [string, number[]][] {
  if (!column) return [["", [...rows]]];
  const values = frame.cols[column];
  const byLabel = new Map<string, number[]>(categories(frame, column, rows).map((c) => [c, []]));
  for (const i of rows) byLabel.get(labelOf(values[i]))!.push(i);
  return [...byLabel.entries()];
}

/** An axis over a column: a value axis for numbers, else a category axis of its labels. */
export function axisFor(frame: Frame, column: string, rows: readonly number[]): { axis: Option; numeric: boolean; cats: string[] } {
  if (isNumeric(frame, column)) return { axis: { type: "value", scale: true }, numeric: true, cats: [] };
  const cats = categories(frame, column, rows);
  return { axis: { type: "category", data: cats }, numeric: false, cats };
}

/** A cell as the axis reads it: the number, or its category label. */
export const cellFor = (numeric: boolean) => (v: unknown) => (numeric ? numberOf(v) : labelOf(v));

export const heavy = (n: number): Option => (n > LARGE ? { large: true, largeThreshold: LARGE, progressive: 0 } : {});

/** "12 rows without a numeric x or y are left out." */
export function skipped(count: number, what: string): string[] {
  return count > 0 ? [`${count.toLocaleString()} row${count === 1 ? "" : "s"} without ${what} left out.`] : [];
}

export const title = (spec: ChartSpec): string => spec.fields.y ?? spec.fields.x ?? spec.type;

/** A visual map's end labels: 0.5 stays 0.5 (ECharts would round it to 1 by default). */
export const fmtScale = (v: number): string => fmt(Number(v.toPrecision(3)));
