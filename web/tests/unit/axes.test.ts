import { describe, expect, it } from "vitest";
import { globMatch, panelAxis, stepMetricOf, xParamOf } from "../../src/shaping/axes";

const run = (defs: Record<string, string> | undefined) => ({ summary: defs ? { _step: 9, _step_metrics: defs } : { _step: 9 } });

describe("define_metric step axes", () => {
  it("matches globs as Python's fnmatchcase does", () => {
    expect(globMatch("val/*", "val/loss")).toBe(true);
    expect(globMatch("val/*", "val/a/b")).toBe(true);
    expect(globMatch("val/*", "train/loss")).toBe(false);
    expect(globMatch("l?ss", "loss")).toBe(true);
    expect(globMatch("gpu[0-1].temp", "gpu1.temp")).toBe(true);
    expect(globMatch("gpu[!0].temp", "gpu0.temp")).toBe(false);
    expect(globMatch("a.b", "axb")).toBe(false);
  });
  it("takes an exact name first, else the last matching glob", () => {
    const defs = { "val/*": "epoch", "val/acc": "batch", "*": "wall" };
    expect(stepMetricOf({ _step_metrics: defs }, "val/acc")).toBe("batch");
    expect(stepMetricOf({ _step_metrics: defs }, "val/loss")).toBe("wall");
    expect(stepMetricOf({ _step_metrics: { "val/*": "epoch" } }, "val/loss")).toBe("epoch");
    expect(stepMetricOf({}, "val/loss")).toBeNull();
    expect(stepMetricOf(null, "val/loss")).toBeNull();
  });
  it("plots a key with a step metric against it while the view is on the step, as the quickstart's val/*", () => {
    const runs = [run(undefined), run({ "val/*": "epoch" })];
    expect(panelAxis(runs, "val/loss", "step")).toBe("metric:epoch");
    expect(panelAxis(runs, "train/loss", "step")).toBe("step");
    expect(panelAxis(runs, "val/loss", "ts")).toBe("ts");
    expect(panelAxis([run({ "*": "epoch" })], "epoch", "step")).toBe("step"); // never against itself
    expect(xParamOf("metric:epoch")).toBe("epoch");
    expect(xParamOf("relative")).toBe("ts");
  });
});
