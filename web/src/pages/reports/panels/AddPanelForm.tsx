// The editor's "add a panel" form: a panel type and the fields its config needs, written in the
// spellings the report panels read (panelConfig.ts) and the Python API writes.
import { useState } from "react";
import { CHART_LABELS, CHART_TYPES, TYPE_ROLES, type ChartSpec, type ChartType } from "../../../shaping/chartSpec";
import { newBlockId, REPORT_GRID_COLS, type Panel, type PanelType } from "../spec";
import { strList } from "./panelConfig";

interface Field {
  name: string;
  label: string;
  placeholder: string;
  optional?: boolean;
}

interface TypeDef {
  type: PanelType;
  label: string;
  fields: Field[];
  config: (v: Record<string, string>) => Record<string, unknown>;
  title?: (v: Record<string, string>) => string | undefined;
}

const f = (name: string, label: string, placeholder: string, optional = false): Field => ({ name, label, placeholder, optional });

const TYPES: TypeDef[] = [
  { type: "line", label: "Line plot", fields: [f("metric", "Metric", "train/loss")], config: (v) => ({ metric: v.metric }), title: (v) => v.metric },
  { type: "scatter", label: "Scatter plot", fields: [f("x", "X", "config.lr"), f("y", "Y", "summary.loss")], config: (v) => ({ x: v.x, y: v.y }) },
  { type: "bar", label: "Bar chart", fields: [f("key", "Value", "summary.acc")], config: (v) => ({ key: v.key }) },
  { type: "media", label: "Media", fields: [f("keys", "Media keys", "samples/pred, samples/audio")], config: (v) => ({ keys: strList(v.keys) }) },
  { type: "table", label: "Logged table", fields: [f("key", "Table key", "eval/predictions")], config: (v) => ({ key: v.key }) },
  { type: "custom_chart", label: "Custom chart", fields: [], config: () => ({}) },
  {
    type: "parallel_coordinates",
    label: "Parallel coordinates",
    fields: [f("keys", "Columns", "config.lr, config.batch_size, summary.loss")],
    config: (v) => ({ keys: strList(v.keys) }),
  },
  {
    type: "side_by_side",
    label: "Side by side",
    fields: [f("keys", "Metrics", "train/loss"), f("runs", "Run ids", "every run of the run set", true)],
    config: (v) => ({ keys: strList(v.keys), ...(strList(v.runs).length && { runs: strList(v.runs) }) }),
  },
  { type: "run_comparison", label: "Run comparison", fields: [], config: (v) => ({ diff_only: v.diff_only === "true" }) },
  { type: "markdown", label: "Markdown", fields: [f("markdown", "Markdown", "**Notes**", true)], config: (v) => ({ markdown: v.markdown ?? "" }) },
];

/** "logged": a chart the runs logged with wanllmdb.plot.*; else a chart type over the run set's runs. */
type ChartKind = "logged" | ChartType;
// Types a chart over runs draws from a row per run (no logged table needed).
const RUN_CHARTS = CHART_TYPES.filter((t) => t !== "geo" && t !== "graph" && t !== "sankey");

/** The custom chart panel's fields: the logged chart's key, or each role of the chosen type (and the axes of parallel coordinates). */
function chartFields(kind: ChartKind): Field[] {
  if (kind === "logged") return [f("preset", "Logged chart key", "roc")];
  const roles = TYPE_ROLES[kind].map((d) => f(d.role, d.label, d.role === "x" ? "config.lr" : "summary.loss", !d.required));
  return kind === "parallel" ? [f("dims", "Axes", "config.lr, config.layers, summary.acc"), ...roles] : roles;
}

function chartConfig(kind: ChartKind, v: Record<string, string>): Record<string, unknown> {
  if (kind === "logged") return { preset: v.preset };
  const fields = Object.fromEntries(TYPE_ROLES[kind].flatMap((d) => (v[d.role]?.trim() ? [[d.role, v[d.role].trim()]] : [])));
  const chart: ChartSpec = { type: kind, source: { kind: "runs" }, fields, ...(kind === "parallel" && { dims: strList(v.dims) }) };
  return { chart };
}

/** The next free box: half the grid wide, below every panel. */
export function nextBox(panels: Panel[]) {
  const bottom = Math.max(0, ...panels.map((p) => p.layout.y + p.layout.h));
  const w = REPORT_GRID_COLS / 2;
  const lastRow = panels.filter((p) => p.layout.y + p.layout.h === bottom && p.layout.x + p.layout.w <= w);
  return lastRow.length && panels.length % 2 === 1 ? { x: w, y: lastRow[0].layout.y, w, h: 8 } : { x: 0, y: bottom, w, h: 8 };
}

export function AddPanelForm({ panels, onAdd }: { panels: Panel[]; onAdd: (p: Panel) => void }) {
  const [type, setType] = useState<PanelType>("line");
  const [chartKind, setChartKind] = useState<ChartKind>("logged");
  const [values, setValues] = useState<Record<string, string>>({});
  const def = TYPES.find((t) => t.type === type)!;
  const fields = type === "custom_chart" ? chartFields(chartKind) : def.fields;
  const trimmed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k === "markdown" ? v : v.trim()]));
  const missing = fields.some((x) => !x.optional && !trimmed[x.name]);
  const set = (name: string, v: string) => setValues((old) => ({ ...old, [name]: v }));
  return (
    <form
      className="report-add-panel"
      onSubmit={(e) => {
        e.preventDefault();
        if (missing) return;
        const config = type === "custom_chart" ? chartConfig(chartKind, trimmed) : def.config(trimmed);
        onAdd({ id: newBlockId(), type, title: def.title?.(trimmed) || undefined, layout: nextBox(panels), config });
        setValues({});
      }}
    >
      <select value={type} onChange={(e) => (setType(e.target.value as PanelType), setValues({}))} aria-label="Panel type">
        {TYPES.map((t) => (
          <option key={t.type} value={t.type}>
            {t.label}
          </option>
        ))}
      </select>
      {type === "custom_chart" && (
        <select value={chartKind} onChange={(e) => (setChartKind(e.target.value as ChartKind), setValues({}))} aria-label="Chart">
          <option value="logged">Logged chart (wanllmdb.plot)</option>
          {RUN_CHARTS.map((t) => (
            <option key={t} value={t}>
              {CHART_LABELS[t]} over runs
            </option>
          ))}
        </select>
      )}
      {fields.map((x) => (
        <input
          key={x.name}
          value={values[x.name] ?? ""}
          onChange={(e) => set(x.name, e.target.value)}
          placeholder={x.placeholder}
          title={x.label}
          // "Panel field: <label>": one field per type was labelled "Panel field" before, and is still found by it.
          aria-label={`Panel field: ${x.label}`}
        />
      ))}
      {type === "run_comparison" && (
        <label className="small">
          <input type="checkbox" checked={values.diff_only === "true"} onChange={(e) => set("diff_only", String(e.target.checked))} /> Only differing rows
        </label>
      )}
      <button className="btn btn-small" type="submit" disabled={missing}>
        Add panel
      </button>
    </form>
  );
}
