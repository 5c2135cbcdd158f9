// wandb.plot.* presets: the SDK keeps each chart under the run config's `_wandb.visualize.<key>`
// ({panel_type: "Vega2", panel_config: {panelDefId, fieldSettings, stringSettings, userQuery}}) and
// its rows in the table `<key>_table`. Each preset becomes a custom-chart spec over that table.
import type { ChartSpec } from "./chartSpec";

export interface Preset {
  /** The key the chart was logged under (`run.log({key: chart})`). */
  key: string;
  panelDefId: string;
  /** The table holding its rows. */
  tableKey: string;
  fields: Record<string, string>;
  strings: Record<string, string>;
}

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
// wandb-style config entries ({value, desc}) read as their value.
const unwrap = (v: unknown): unknown => {
  const o = obj(v);
  return o && "value" in o && Object.keys(o).every((k) => k === "value" || k === "desc") ? o.value : v;
};
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v) ?? {}).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));

/** The table key the panel's query names (`summaryTable(tableKey)`), else wandb's default `<key>_table`. */
function tableKeyOf(key: string, panelConfig: Record<string, unknown>): string {
  const queryFields = obj(panelConfig.userQuery)?.queryFields;
  if (Array.isArray(queryFields))
    for (const q of queryFields)
      for (const f of (obj(q)?.fields as unknown[]) ?? []) {
        const field = obj(f);
        if (field?.name !== "summaryTable") continue;
        const arg = ((field.args as unknown[]) ?? []).map(obj).find((a) => a?.name === "tableKey");
        if (typeof arg?.value === "string" && arg.value) return arg.value;
      }
  return `${key}_table`;
}

/** The preset charts a run's config declares, by key. */
export function presetsOf(config: Record<string, unknown> | null | undefined): Preset[] {
  const visualize = obj(unwrap(obj(unwrap(config?._wandb))?.visualize));
  if (!visualize) return [];
  return Object.entries(visualize)
    .flatMap(([key, v]) => {
      const panel = obj(obj(v)?.panel_config);
      const id = panel?.panelDefId;
      if (!panel || typeof id !== "string") return [];
      return [{ key, panelDefId: id, tableKey: tableKeyOf(key, panel), fields: strings(panel.fieldSettings), strings: strings(panel.stringSettings) }];
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

export interface PresetChart {
  spec: ChartSpec;
  title: string;
  /** Draw the heatmap as a matrix (the confusion matrix). */
  matrix?: boolean;
}

/** The chart a preset draws from its table in `run`, or null for a preset id this dashboard does not know. */
export function presetChart(p: Preset, run: string): PresetChart | null {
  const f = p.fields;
  const source = { kind: "table" as const, run, key: p.tableKey };
  const title = p.strings.title || p.key;
  const chart = (type: ChartSpec["type"], fields: ChartSpec["fields"], extra: Partial<PresetChart> = {}): PresetChart => ({
    spec: { type, source, fields: Object.fromEntries(Object.entries(fields).filter(([, c]) => !!c)) },
    title,
    ...extra,
  });
  switch (p.panelDefId) {
    case "wandb/line/v0":
      return chart("line", { x: f.x, y: f.y, group: f.stroke });
    case "wandb/scatter/v0":
      return chart("scatter", { x: f.x, y: f.y });
    case "wandb/bar/v0":
      return chart("bar", { x: f.label, y: f.value });
    case "wandb/histogram/v0":
      return chart("histogram", { x: f.value });
    case "wandb/lineseries/v0":
      return chart("line", { x: f.step, y: f.lineVal, group: f.lineKey });
    case "wandb/area-under-curve/v0":
      return chart("line", { x: f.x, y: f.y, group: f.class });
    case "wandb/confusion_matrix/v1":
      return chart("heatmap", { x: f.Predicted, y: f.Actual, color: f.nPredictions }, { matrix: true });
  }
  return sklearnChart(p.panelDefId, (column) => f[column] || column, chart);
}

type ChartOf = (type: ChartSpec["type"], fields: ChartSpec["fields"]) => PresetChart;

/** wandb.sklearn's presets (`wandb.visualize` ids): their tables have fixed column names, which the
 * fields name when the SDK wrote them (`col` falls back to wandb's name otherwise). */
function sklearnChart(id: string, col: (column: string) => string, chart: ChartOf): PresetChart | null {
  switch (id) {
    case "wandb/feature_importances/v1":
      return chart("bar", { x: col("feature_names"), y: col("importances") });
    case "wandb/learning_curve/v1":
      return chart("line", { x: col("train_size"), y: col("score"), group: col("dataset") });
    case "wandb/metrics/v1":
      return chart("bar", { x: col("metric_name"), y: col("metric_value") });
    case "wandb/class_proportions/v1":
      return chart("bar", { x: col("class"), y: col("count"), group: col("dataset") });
    case "wandb/calibration/v1":
      return chart("line", { x: col("mean_predicted_value"), y: col("fraction_of_positives"), group: col("model") });
    case "wandb/residuals_plot/v1":
      return chart("scatter", { x: col("y_pred"), y: col("residuals"), group: col("dataset") });
    case "wandb/outliers/v1":
      return chart("bar", { x: col("instance_indicies"), y: col("distance") });
    case "wandb/elbow/v1":
      return chart("line", { x: col("cluster_ranges"), y: col("errors") });
    case "wandb/silhouette_/v1":
      return chart("scatter", { x: col("x"), y: col("y"), group: col("colors") });
    default:
      return null;
  }
}
