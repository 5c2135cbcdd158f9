// Step rules, the summary and defineMetric, as the Python SDK computes them (offline: no server).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { init } from "../src/index.js";

const offline = (warn: (m: string) => void = () => {}) => init({ mode: "offline", dir: mkdtempSync(join(tmpdir(), "ts-summary-")), warn });

describe("steps and summary", () => {
  it("counts steps as wandb does: commit=false, explicit steps, a lower step kept with a warning", async () => {
    const warnings: string[] = [];
    const run = await offline((m) => warnings.push(m));
    run.log({ a: 1 }, { commit: false });
    run.log({ b: 2 }); // same step 0, then step 1
    expect(run.currentStep).toBe(1);
    run.log({ a: 3 }, 5); // explicit step: stays at 5 until a higher step or a commit
    expect(run.currentStep).toBe(5);
    run.log(); // commits the pending row at 5
    expect(run.currentStep).toBe(6);
    run.log({ a: 4 }, { step: 2 });
    expect(warnings.join()).toMatch(/"a" logged at step 2, below the run's current step 6/);
    expect(run.summary.toJSON()).toMatchObject({ a: 3, b: 2, _step: 5 }); // last = value at the highest step
    await run.finish();
  });

  it("keeps min/max/mean/first per defineMetric, hides hidden and 'none' keys, lets explicit values win", async () => {
    const run = await offline();
    run.defineMetric("loss", { summary: ["min", "max", "mean", "first"] });
    run.defineMetric("secret*", { hidden: true });
    run.defineMetric("noisy", { summary: "none" });
    for (const v of [3, 1, NaN, 2]) run.log({ loss: v, secret_x: v, noisy: v, phase: v > 2 ? "warmup" : "train" });
    const s = run.summary.toJSON();
    expect(s["loss"]).toEqual({ min: 1, max: 3, mean: 2, first: 3 });
    expect(s).not.toHaveProperty("secret_x");
    expect(s).not.toHaveProperty("noisy");
    expect(s["phase"]).toBe("train");
    run.summary.update({ loss: 0.5 });
    expect(run.summary.get("loss")).toBe(0.5);
    await run.finish();
  });

  it("stepMetric: rows get the step metric's latest value, and the summary carries _step_metrics", async () => {
    const run = await offline();
    run.defineMetric("val/*", { step_metric: "epoch" });
    run.log({ epoch: 1 });
    run.log({ "val/acc": 0.5 }); // step-synced: epoch 1 joins this row
    run.log({ epoch: 2, "val/acc": 0.7 });
    const s = run.summary.toJSON();
    expect(s["_step_metrics"]).toEqual({ "val/*": "epoch" });
    expect(s).toMatchObject({ epoch: 2, "val/acc": 0.7, _step: 2 });
    // epoch was logged at steps 0, 1 (synced) and 2.
    const buffered = (run as unknown as { buffer: { columns: Map<string, { rows: number[] }> } }).buffer.columns.get("epoch");
    expect(buffered?.rows.length).toBe(3);
    await run.finish();
  });
});
