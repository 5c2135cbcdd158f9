// What a custom chart panel draws, as saved in the workspace view: the chart type, where its rows
// come from (a logged table of one run, or the runs table), which column feeds which role, and a
// filter. Reading is strict, so a hand-edited or old view cannot break the page.
import type { FilterOp, FilterRow } from "./fields";

export const CHART_TYPES = [
  "line",
  "scatter",
  "bar",
  "pie",
  "histogram",
  "box",
  "heatmap",
  "3d",
  "geo",
  "graph",
  "sankey",
  "parallel",
] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const CHART_LABELS: Record<ChartType, string> = {
  line: "Line (multi-series)",
  scatter: "Scatter",
  bar: "Bar",
  pie: "Pie",
  histogram: "Histogram",
  box: "Box plot",
  heatmap: "Heatmap",
  "3d": "3D scatter / surface",
  geo: "Geo map (countries)",
  graph: "Network graph",
  sankey: "Sankey",
  parallel: "Parallel coordinates",
};

/** The roles a column can play; `dims` (parallel coordinates) is a list and kept apart. */
export type Role = "x" | "y" | "z" | "color" | "size" | "group";
export const ROLES: Role[] = ["x", "y", "z", "color", "size", "group"];

export interface RoleDef {
  role: Role;
  label: string;
  required: boolean;
}

const r = (role: Role, label: string, required = false): RoleDef => ({ role, label, required });

/** Which roles each type reads, in the editor's order, with the label the editor shows. */
export const TYPE_ROLES: Record<ChartType, RoleDef[]> = {
  line: [r("x", "X", true), r("y", "Y", true), r("group", "Series (one line per value)")],
  scatter: [r("x", "X", true), r("y", "Y", true), r("color", "Colour"), r("size", "Size"), r("group", "Group (one series per value)")],
  bar: [r("x", "Category", true), r("y", "Value", true), r("group", "Group (stacked)")],
  pie: [r("x", "Category", true), r("y", "Value (none: count rows)")],
  histogram: [r("x", "Value", true), r("group", "Group (one histogram per value)")],
  box: [r("y", "Value", true), r("x", "Category (one box per value)")],
  heatmap: [r("x", "X (category)", true), r("y", "Y (category)", true), r("color", "Value (none: count rows)")],
  "3d": [r("x", "X", true), r("y", "Y", true), r("z", "Z", true), r("color", "Colour")],
  geo: [r("x", "Country name", true), r("y", "Value", true)],
  graph: [r("x", "Source node", true), r("y", "Target node", true), r("size", "Edge weight"), r("group", "Source category")],
  sankey: [r("x", "Source", true), r("y", "Target", true), r("size", "Flow (none: count rows)")],
  parallel: [r("color", "Colour")],
};

export type ChartSource = { kind: "table"; run: string; key: string } | { kind: "runs" };

export interface ChartSpec {
  type: ChartType;
  source: ChartSource;
  fields: Partial<Record<Role, string>>;
  /** Parallel coordinates: the axes, in order. */
  dims?: string[];
  /** 3D: points or a surface over the (x, y) grid. */
  surface?: boolean;
  /** Histogram bins. */
  bins?: number;
  /** Rows kept: the runs table's filter rows (ANDed); a table applies them on the server. */
  filters?: FilterRow[];
  /** Brushing this panel filters the workspace's runs (runs source only). */
  brush?: boolean;
  logY?: boolean;
}

const isStr = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 512;
const OPS: FilterOp[] = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$exists"];

function readSource(v: unknown): ChartSource | null {
  const s = v as Partial<{ kind: string; run: unknown; key: unknown }> | null;
  if (s?.kind === "runs") return { kind: "runs" };
  if (s?.kind === "table" && isStr(s.run) && isStr(s.key)) return { kind: "table", run: s.run, key: s.key };
  return null;
}

function readFilters(v: unknown): FilterRow[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((f: Partial<FilterRow> | null) =>
    f && isStr(f.field) && OPS.includes(f.op as FilterOp) && typeof f.value === "string" ? [{ field: f.field, op: f.op as FilterOp, value: f.value.slice(0, 1000) }] : [],
  );
}

/** A chart spec from untrusted JSON (a view in a link), or null when it names no type or source. */
export function readChartSpec(v: unknown): ChartSpec | null {
  const o = v as Record<string, unknown> | null;
  if (!o || !CHART_TYPES.includes(o.type as ChartType)) return null;
  const source = readSource(o.source);
  if (!source) return null;
  const fields: Partial<Record<Role, string>> = {};
  const rawFields = (o.fields ?? {}) as Record<string, unknown>;
  for (const role of ROLES) if (isStr(rawFields[role])) fields[role] = rawFields[role] as string;
  const spec: ChartSpec = { type: o.type as ChartType, source, fields };
  if (Array.isArray(o.dims)) spec.dims = o.dims.filter(isStr).slice(0, 30);
  if (o.surface === true) spec.surface = true;
  if (typeof o.bins === "number" && Number.isInteger(o.bins) && o.bins >= 2 && o.bins <= 500) spec.bins = o.bins;
  const filters = readFilters(o.filters);
  if (filters.length) spec.filters = filters;
  if (o.brush === true && source.kind === "runs") spec.brush = true;
  if (o.logY === true) spec.logY = true;
  return spec;
}

/** The columns a spec reads, each once, in role order then the parallel axes. */
export function usedColumns(spec: ChartSpec): string[] {
  const roles = TYPE_ROLES[spec.type].map((d) => spec.fields[d.role]).filter((c): c is string => !!c);
  return [...new Set([...roles, ...(spec.type === "parallel" ? (spec.dims ?? []) : [])])];
}

/**
 * Why the spec cannot be drawn from these columns, in words for the panel (a required role left
 * empty, or a mapped column the data does not have), or null when it can.
 */
export function mappingProblem(spec: ChartSpec, columns: readonly string[]): string | null {
  const have = new Set(columns);
  for (const d of TYPE_ROLES[spec.type]) {
    const col = spec.fields[d.role];
    if (!col) {
      if (d.required) return `Choose a column for "${d.label}".`;
      continue;
    }
    if (!have.has(col)) return `"${d.label}" is mapped to "${col}", which is not a column of this data. Its columns are: ${listColumns(columns)}.`;
  }
  if (spec.type === "parallel") {
    const dims = spec.dims ?? [];
    if (dims.length < 2) return "Choose at least two axes for the parallel coordinates.";
    const gone = dims.filter((d) => !have.has(d));
    if (gone.length) return `Axis ${gone.map((g) => `"${g}"`).join(", ")} is not a column of this data. Its columns are: ${listColumns(columns)}.`;
  }
  return null;
}

function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 25).join(", ");
  return columns.length > 25 ? `${shown}, … (${columns.length} in all)` : shown || "(none)";
}
