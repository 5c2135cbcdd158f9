import { describe, expect, it } from "vitest";
import { singlePointRange } from "../../src/charts/LineChart";
import { defaultView, parseView } from "../../src/shaping/view";

describe("the x axis of a chart", () => {
  it("spans a minute, not 1000 days, when every point of a wall-time chart shares one second", () => {
    const t = 1_760_000_000;
    const [min, max] = singlePointRange([t, t, t], "time")!;
    expect(max - min).toBe(60);
    expect(min).toBeLessThan(t);
    expect(max).toBeGreaterThan(t);
  });
  it("spans a step either side of a single step, and leaves a real range alone", () => {
    expect(singlePointRange([5], "number")).toEqual([4, 6]);
    expect(singlePointRange([0, 10], "number")).toBeNull();
    expect(singlePointRange([], "time")).toBeNull();
  });
});

describe("a panel's line choice", () => {
  it("is kept in the view, and junk is dropped", () => {
    const v = parseView({ ...defaultView(), panelConfig: { "line:loss": { line: "max" }, "line:acc": { line: "median" }, bad: null } });
    expect(v.panelConfig).toEqual({ "line:loss": { line: "max" } });
    expect(parseView({}).panelConfig).toEqual({});
  });
});
