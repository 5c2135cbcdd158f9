import { describe, expect, it } from "vitest";
import { decodeView, defaultView, encodeView, parseView, sameView } from "../../src/shaping/view";
import { buildFilters, flatten } from "../../src/shaping/fields";

describe("view (de)serialization", () => {
  const view = {
    ...defaultView(),
    name: "lr sweep",
    runs: ["abc", "def"],
    x: "metric:epoch" as const,
    smoothing: 0.6,
    logY: true,
    collapsed: ["system"],
    layout: { "line:loss": { x: 0, y: 0, w: 6, h: 8 } },
    panels: [{ id: "p1", type: "scatter" as const, xKey: "config.lr", yKey: "summary.loss" }],
  };
  it("round-trips through a URL-safe string", () => {
    const s = encodeView(view);
    expect(s).toMatch(/^[A-Za-z0-9+\-$_]*$/);
    expect(decodeView(s)).toEqual(view);
  });
  it("refuses garbage instead of throwing", () => {
    expect(decodeView("not-a-view")).toBeNull();
  });
  it("repairs bad fields of a hand-edited view", () => {
    const v = parseView({ x: "weird", smoothing: 7, runs: ["a", 3], layout: { a: { x: 0 } }, panels: [{ id: "q", type: "pie" }] });
    expect(v.x).toBe("step");
    expect(v.smoothing).toBe(0.99);
    expect(v.runs).toEqual(["a"]);
    expect(v.layout).toEqual({});
    expect(v.panels).toEqual([]);
  });
  it("sees two views as equal whatever order their keys were written in", () => {
    const reordered = parseView(JSON.parse(JSON.stringify({ ...view, layout: { b: { x: 1, y: 0, w: 4, h: 6 }, a: { x: 0, y: 0, w: 4, h: 6 } } })));
    const original = { ...view, layout: { a: { x: 0, y: 0, w: 4, h: 6 }, b: { x: 1, y: 0, w: 4, h: 6 } } };
    expect(sameView(reordered, original)).toBe(true);
    expect(sameView(reordered, { ...original, smoothing: 0.3 })).toBe(false);
  });
});

describe("run fields", () => {
  it("flattens nested config to dotted paths and unwraps wandb {value} entries", () => {
    expect(flatten({ optimizer: { lr: 0.1, betas: [0.9, 0.99] }, epochs: { value: 3, desc: null } })).toEqual({
      "optimizer.lr": 0.1,
      "optimizer.betas": [0.9, 0.99],
      epochs: 3,
    });
  });
  it("builds server filters: name substring search and typed values", () => {
    expect(buildFilters([], "")).toBeNull();
    expect(buildFilters([{ field: "config.lr", op: "$gt", value: "0.01" }], "")).toEqual({ "config.lr": { $gt: 0.01 } });
    expect(buildFilters([{ field: "state", op: "$in", value: "running,failed" }], "bert")).toEqual({
      $and: [{ name: { $contains: "bert" } }, { state: { $in: ["running", "failed"] } }],
    });
  });
});

describe("per-panel settings", () => {
  it("keeps a media section's slider axis and drops what is not a setting", () => {
    const v = parseView({ panelConfig: { "media:samples": { slider: "epoch" }, "line:a": { line: "max", slider: 3 }, "line:b": { line: "median" } } });
    expect(v.panelConfig).toEqual({ "media:samples": { slider: "epoch" }, "line:a": { line: "max" } });
  });
});
