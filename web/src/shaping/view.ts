// A workspace view: what the user arranged, small enough to live in a URL (?view=<compressed JSON>).
// Named views are saved per project on the server (src/api/views.ts) and shared with the team.
// Decoding is strict so a hand-edited link or stored spec cannot crash the page.
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from "lz-string";
import { LINE_AGGS, type LineAgg } from "./series";
import { readBrush, type RunBrush } from "./brush";
import { readChartSpec, type ChartSpec } from "./chartSpec";
import { DEFAULT_LINES, LINE_CHOICES, MAX_SELECTED } from "./selection";

export type XAxis = "step" | "ts" | "relative" | `metric:${string}`;
/** "chart": a custom chart (ECharts) over a logged table or the runs table. */
export type PanelType = "line" | "scatter" | "histogram" | "compare" | "chart";
/** How a group's spread is drawn around its mean line. */
export type BandKind = "minmax" | "std";

export interface PanelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A panel the user added; line panels for every metric key are implicit and need no entry. */
export interface CustomPanel {
  id: string;
  type: PanelType;
  title?: string;
  key?: string;
  xKey?: string;
  yKey?: string;
  /** A custom chart's type, source, field mapping and filter. */
  chart?: ChartSpec;
}

/**
 * What the user set on one panel (by panel id, e.g. "line:train/loss") or media section (by its
 * id, e.g. "media:samples"); unset fields follow the view.
 */
export interface PanelConfig {
  /** The line follows each bucket's mean (default), max or min; the band shows min to max. */
  line?: LineAgg;
  /** A media section's slider walks this metric's values (e.g. "epoch") instead of _step. */
  slider?: string;
}

export interface View {
  v: 1;
  name: string;
  runs: string[];
  search: string;
  x: XAxis;
  smoothing: number;
  logY: boolean;
  collapsed: string[];
  layout: Record<string, PanelBox>;
  panels: CustomPanel[];
  /** "" draws one line per run; a field (group, job_type, config.<path>) one line per group of runs. */
  groupBy: string;
  band: BandKind;
  panelConfig: Record<string, PanelConfig>;
  /** Run fields brushed on a panel over runs: only runs inside every range are shown. */
  brush: RunBrush;
  /** With more runs selected, the first `lines` are drawn as lines and the rest as one band. */
  lines: number;
}

export const defaultView = (): View => ({
  v: 1,
  name: "Workspace",
  runs: [],
  search: "",
  x: "step",
  smoothing: 0,
  logY: false,
  collapsed: [],
  layout: {},
  panels: [],
  groupBy: "",
  band: "minmax",
  panelConfig: {},
  brush: {},
  lines: DEFAULT_LINES,
});

const isStr = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const PANEL_TYPES: PanelType[] = ["line", "scatter", "histogram", "compare", "chart"];

function readX(v: unknown): XAxis {
  if (v === "step" || v === "ts" || v === "relative") return v;
  if (isStr(v) && v.startsWith("metric:") && v.length > 7) return v as XAxis;
  return "step";
}

function readBox(v: unknown): PanelBox | null {
  const b = v as Partial<PanelBox> | null;
  if (!b || ![b.x, b.y, b.w, b.h].every(isNum)) return null;
  return { x: Math.max(0, b.x!), y: Math.max(0, b.y!), w: Math.min(12, Math.max(1, b.w!)), h: Math.min(40, Math.max(2, b.h!)) };
}

function readPanel(v: unknown): CustomPanel | null {
  const p = v as Partial<CustomPanel> | null;
  if (!p || !isStr(p.id) || !PANEL_TYPES.includes(p.type as PanelType)) return null;
  const out: CustomPanel = { id: p.id, type: p.type as PanelType };
  for (const k of ["title", "key", "xKey", "yKey"] as const) if (isStr(p[k])) out[k] = p[k];
  if (out.type === "chart") {
    const chart = readChartSpec(p.chart);
    if (!chart) return null;
    out.chart = chart;
  }
  return out;
}

function readPanelConfig(v: unknown): Record<string, PanelConfig> {
  const out: Record<string, PanelConfig> = {};
  if (!v || typeof v !== "object") return out;
  for (const [id, c] of Object.entries(v as object)) {
    const { line, slider } = (c ?? {}) as PanelConfig;
    const conf: PanelConfig = {};
    if (line && LINE_AGGS.includes(line)) conf.line = line;
    if (isStr(slider) && slider.length > 0 && slider.length <= 256) conf.slider = slider;
    if (Object.keys(conf).length > 0) out[id] = conf;
  }
  return out;
}

/** Validates untrusted JSON into a View; anything malformed falls back to the default for that field. */
export function parseView(raw: unknown): View {
  const d = defaultView();
  const o = (raw ?? {}) as Record<string, unknown>;
  const layout: Record<string, PanelBox> = {};
  if (o.layout && typeof o.layout === "object") {
    for (const [k, b] of Object.entries(o.layout as object)) {
      const box = readBox(b);
      if (box) layout[k] = box;
    }
  }
  return {
    v: 1,
    name: isStr(o.name) && o.name.trim() ? o.name.slice(0, 100) : d.name,
    runs: Array.isArray(o.runs) ? o.runs.filter(isStr).slice(0, MAX_SELECTED) : d.runs,
    search: isStr(o.search) ? o.search : d.search,
    x: readX(o.x),
    smoothing: isNum(o.smoothing) ? Math.min(0.99, Math.max(0, o.smoothing)) : d.smoothing,
    logY: o.logY === true,
    collapsed: Array.isArray(o.collapsed) ? o.collapsed.filter(isStr) : d.collapsed,
    layout,
    panels: Array.isArray(o.panels) ? o.panels.map(readPanel).filter((p): p is CustomPanel => p !== null) : d.panels,
    groupBy: isStr(o.groupBy) ? o.groupBy.slice(0, 256) : d.groupBy,
    band: o.band === "std" ? "std" : d.band,
    panelConfig: readPanelConfig(o.panelConfig),
    brush: readBrush(o.brush),
    lines: (LINE_CHOICES as readonly unknown[]).includes(o.lines) ? (o.lines as number) : d.lines,
  };
}

export function encodeView(view: View): string {
  return compressToEncodedURIComponent(JSON.stringify(view));
}

/** The view in a shared link, or null when the parameter is not a view we can read. */
export function decodeView(s: string): View | null {
  try {
    const json = decompressFromEncodedURIComponent(s);
    if (!json) return null;
    return parseView(JSON.parse(json));
  } catch {
    return null;
  }
}

/** Deep equality of two views, ignoring the order keys were written in (a stored spec comes back re-ordered). */
export function sameView(a: View, b: View): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v as object).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([k, x]) => [k, canon(x)]))
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
