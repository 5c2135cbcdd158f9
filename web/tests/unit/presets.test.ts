import { describe, expect, it } from "vitest";
import { presetChart, presetsOf } from "../../src/shaping/presets";

const panel = (id: string, fields: Record<string, string>, tableKey = "") => ({
  panel_type: "Vega2",
  panel_config: {
    panelDefId: id,
    fieldSettings: fields,
    stringSettings: { title: "T" },
    userQuery: tableKey ? { queryFields: [{ name: "runSets", fields: [{ name: "id" }, { name: "summaryTable", args: [{ name: "tableKey", value: tableKey }] }] }] } : undefined,
  },
});

describe("wandb.plot presets", () => {
  const config = {
    lr: 0.1,
    _wandb: {
      visualize: {
        roc: panel("wandb/area-under-curve/v0", { x: "fpr", y: "tpr", class: "class" }),
        cm: panel("wandb/confusion_matrix/v1", { Actual: "Actual", Predicted: "Predicted", nPredictions: "nPredictions" }, "Custom Chart Tables/cm_table"),
        odd: panel("wandb/unknown/v9", {}),
      },
    },
  };

  it("reads every chart under config._wandb.visualize with its table key", () => {
    const ps = presetsOf(config);
    expect(ps.map((p) => [p.key, p.tableKey])).toEqual([
      ["cm", "Custom Chart Tables/cm_table"],
      ["odd", "odd_table"],
      ["roc", "roc_table"],
    ]);
    expect(presetsOf({ _wandb: { value: { visualize: { a: panel("wandb/bar/v0", { label: "l", value: "v" }) } } } })[0].key).toBe("a");
    expect(presetsOf({})).toEqual([]);
  });

  it("maps each preset onto a custom chart: ROC per class, the confusion matrix as a heatmap", () => {
    const [cm, odd, roc] = presetsOf(config);
    expect(presetChart(roc, "run1")?.spec).toEqual({ type: "line", source: { kind: "table", run: "run1", key: "roc_table" }, fields: { x: "fpr", y: "tpr", group: "class" } });
    const m = presetChart(cm, "run1")!;
    expect(m.spec.type).toBe("heatmap");
    expect(m.spec.fields).toEqual({ x: "Predicted", y: "Actual", color: "nPredictions" });
    expect(m.matrix).toBe(true);
    expect(presetChart(odd, "run1")).toBeNull();
  });
});

describe("wandb.sklearn presets", () => {
  const config = {
    _wandb: {
      visualize: {
        feature_importances: panel("wandb/feature_importances/v1", { feature_names: "feature_names", importances: "importances" }),
        learning_curve: panel("wandb/learning_curve/v1", { dataset: "dataset", score: "score", train_size: "train_size" }),
        residuals: panel("wandb/residuals_plot/v1", {}),
        elbow_curve: panel("wandb/elbow/v1", { cluster_ranges: "k", errors: "err" }),
      },
    },
  };

  it("draws each over its table's wandb columns, or the columns its fields name", () => {
    const byKey = Object.fromEntries(presetsOf(config).map((p) => [p.key, presetChart(p, "r")!]));
    expect(byKey.feature_importances.spec).toEqual({ type: "bar", source: { kind: "table", run: "r", key: "feature_importances_table" }, fields: { x: "feature_names", y: "importances" } });
    expect(byKey.learning_curve.spec.fields).toEqual({ x: "train_size", y: "score", group: "dataset" });
    expect(byKey.residuals.spec).toMatchObject({ type: "scatter", fields: { x: "y_pred", y: "residuals", group: "dataset" } });
    expect(byKey.elbow_curve.spec.fields).toEqual({ x: "k", y: "err" });
  });
});
