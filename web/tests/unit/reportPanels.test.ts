// Report panels' pure parts: what a panel's config names (the Python API's spellings first), the
// one x range a side-by-side panel's charts share, and the rows a chart over the run set reads.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/api/types";
import { chartOf, diffOnlyOf, mediaKeysOf, parallelKeysOf, pickRuns, resolveField, runsFrame, sideBySideOf, stepOf, stopIndexAt, strList, tableKeyOf } from "../../src/pages/reports/panels/panelConfig";
import { sharedRange, unionRange } from "../../src/pages/reports/panels/sharedRange";
import type { Series } from "../../src/shaping/series";

const series = (x: number[]): Series => ({ x, y: x.map(() => 1), lo: x.map(() => 1), hi: x.map(() => 1) });
const run = (id: string, config: Record<string, unknown>, summary: Record<string, unknown> = {}) => ({ id, project_id: "p", name: id, config, summary }) as unknown as Run;

describe("side-by-side x range", () => {
  it("is the union of every run's data, not any one run's", () => {
    expect(unionRange([series([0, 5, 10]), series([20, 40, 400]), series([])])).toEqual([0, 400]);
    expect(unionRange([series([100, 150]), series([3, 50])])).toEqual([3, 150]);
  });
  it("is null without data, and widens a single step so a chart has a width", () => {
    expect(unionRange([])).toBeNull();
    expect(unionRange([series([]), series([])])).toBeNull();
    expect(unionRange([series([7]), series([7])])).toEqual([6, 8]);
  });
  it("follows a zoom inside the union, clipped to it, and ignores one that misses the data", () => {
    expect(sharedRange([0, 400], null)).toEqual([0, 400]);
    expect(sharedRange([0, 400], [50, 120])).toEqual([50, 120]);
    expect(sharedRange([0, 400], [120, 50])).toEqual([50, 120]);
    expect(sharedRange([0, 400], [-20, 90])).toEqual([0, 90]);
    expect(sharedRange([0, 400], [500, 900])).toEqual([0, 400]);
    expect(sharedRange(null, [1, 2])).toBeNull();
  });
});

describe("panel config", () => {
  it("reads the Python API's spellings (MediaBrowser, ParallelCoordinatesPlot, RunComparer)", () => {
    expect(mediaKeysOf({ keys: ["samples/pred", "samples/audio"] })).toEqual(["samples/pred", "samples/audio"]);
    expect(parallelKeysOf({ keys: ["config.lr", "summary.loss"] })).toEqual(["config.lr", "summary.loss"]);
    expect(diffOnlyOf({ diff_only: true })).toBe(true);
    expect(diffOnlyOf({ diff_only: "yes" })).toBe(false);
  });
  it("takes a comma list for a list, trims, drops empties and repeats", () => {
    expect(strList(" a, b ,, a ")).toEqual(["a", "b"]);
    expect(strList(["x", 3, "", "y"])).toEqual(["x", "y"]);
    expect(strList(undefined)).toEqual([]);
    expect(mediaKeysOf({ media_keys: "img" })).toEqual(["img"]);
    expect(tableKeyOf({ key: " eval/preds " })).toBe("eval/preds");
    expect(tableKeyOf({ keys: ["t1", "t2"] })).toBe("t1");
    expect(tableKeyOf(undefined)).toBe("");
  });
  it("reads side-by-side metrics and runs, and a pinned step only when it is a step", () => {
    expect(sideBySideOf({ keys: ["loss"], runs: ["r2", "r1"] })).toEqual({ keys: ["loss"], runs: ["r2", "r1"] });
    expect(sideBySideOf({ metric: "acc" })).toEqual({ keys: ["acc"], runs: [] });
    expect(stepOf({ step: 10 })).toBe(10);
    expect(stepOf({ step: -1 })).toBeNull();
    expect(stepOf({ step: 1.5 })).toBeNull();
  });
  it("names a logged chart by its key, or a chart spec read strictly", () => {
    expect(chartOf({ preset: "roc" })).toEqual({ kind: "preset", key: "roc" });
    const chart = { type: "scatter", source: { kind: "runs" }, fields: { x: "config.lr", y: "summary.loss", bogus: "z" } };
    expect(chartOf({ chart })).toEqual({ kind: "spec", spec: { type: "scatter", source: { kind: "runs" }, fields: { x: "config.lr", y: "summary.loss" } } });
    expect(chartOf({ chart: { type: "nope", source: { kind: "runs" } } })).toBeNull();
    expect(chartOf({})).toBeNull();
  });
});

describe("run set rows", () => {
  const runs = [run("r1", { lr: 0.1, opt: { name: "adam" } }, { loss: 1 }), run("r2", { lr: 0.01 }, { loss: 0.5, acc: 0.9 })];
  it("resolves a bare name to config when a run has it, else summary", () => {
    expect(resolveField(runs, "lr")).toBe("config.lr");
    expect(resolveField(runs, "opt.name")).toBe("config.opt.name");
    expect(resolveField(runs, "acc")).toBe("summary.acc");
    expect(resolveField(runs, "summary.lr")).toBe("summary.lr");
    expect(resolveField(runs, "state")).toBe("state");
  });
  it("makes one row per run with the fields, a missing value left undefined", () => {
    const f = runsFrame(runs, ["config.lr", "summary.acc"]);
    expect(f.length).toBe(2);
    expect(f.cols["config.lr"]).toEqual([0.1, 0.01]);
    expect(f.cols["summary.acc"]).toEqual([undefined, 0.9]);
  });
  it("picks the listed runs in the listed order, skipping ids not in the set; none listed is every run", () => {
    expect(pickRuns(runs, ["r2", "gone", "r1"]).map((r) => r.id)).toEqual(["r2", "r1"]);
    expect(pickRuns(runs, [])).toBe(runs);
  });
});

describe("a media panel's pinned step", () => {
  const stops = [0, 10, 20].map((step) => ({ step, x: step }));
  it("is the last stop at or before it, the first when all are later, the last when none is pinned", () => {
    expect(stopIndexAt(stops, 15)).toBe(1);
    expect(stopIndexAt(stops, 20)).toBe(2);
    expect(stopIndexAt(stops, 0)).toBe(0);
    expect(stopIndexAt([{ step: 5, x: 5 }], 1)).toBe(0);
    expect(stopIndexAt(stops, null)).toBe(2);
    expect(stopIndexAt([], null)).toBe(0);
  });
});
