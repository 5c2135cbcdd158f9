import { describe, expect, it } from "vitest";
import type uPlot from "uplot";
import { fitAxisToLabels, singlePointRange } from "../../src/charts/LineChart";
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

describe("the y axis", () => {
  // A canvas stand-in whose text is 7 px a character.
  const fake = { axes: [{}, { ticks: { size: 10 }, gap: 5, font: ["12px sans-serif", 12] }], ctx: { font: "", measureText: (t: string) => ({ width: t.length * 7 }) } } as unknown as uPlot;
  it("is as wide as its longest label, so 25.675 is not cut to 5.675", () => {
    const size = fitAxisToLabels(fake, ["0", "12.5", "25.675"], 1, 0);
    expect(size).toBeGreaterThanOrEqual(10 + 5 + 6 * 7);
    expect(fitAxisToLabels(fake, ["1.5 GiB", "1023.5 MiB"], 1, 0)).toBeGreaterThan(size);
  });
});
