import { describe, expect, it } from "vitest";
import { describeBrush, inBrush, readBrush, withAxisSelection } from "../../src/shaping/brush";
import { readChartSpec } from "../../src/shaping/chartSpec";
import { keptRows, appendRows, emptyFrame, numberOf } from "../../src/shaping/frame";
import { decodeView, defaultView, encodeView } from "../../src/shaping/view";

describe("the workspace brush", () => {
  it("keeps a run only inside every brushed range or category", () => {
    const brush = { "config.lr": { ranges: [[0.01, 0.1]] as [number, number][] }, "config.opt": { values: ["adam"] } };
    const run = (lr: unknown, opt: unknown) => (f: string) => (f === "config.lr" ? lr : opt);
    expect(inBrush(brush, run(0.05, "adam"))).toBe(true);
    expect(inBrush(brush, run(0.5, "adam"))).toBe(false);
    expect(inBrush(brush, run(0.05, "sgd"))).toBe(false);
    expect(inBrush(brush, run(undefined, "adam"))).toBe(false);
    expect(describeBrush(brush)).toBe("config.lr 0.01–0.1; config.opt adam");
  });

  it("turns a parallel axis' selection into ranges or categories, and an empty one clears the field", () => {
    const b = withAxisSelection({}, "config.lr", [[0.1, 0.01]], null);
    expect(b).toEqual({ "config.lr": { ranges: [[0.01, 0.1]] } });
    expect(withAxisSelection(b, "config.opt", [[0.6, 1.2]], ["sgd", "adam", "rms"])).toEqual({ ...b, "config.opt": { values: ["adam"] } });
    expect(withAxisSelection(b, "config.lr", [], null)).toEqual({});
  });

  it("reads back only well-formed brushes", () => {
    expect(readBrush({ a: { ranges: [[2, 1], ["x", 3]] }, b: { values: ["x", 3] }, c: 7 })).toEqual({ a: { ranges: [[1, 2]] }, b: { values: ["x"] } });
  });
});

describe("custom chart specs in the view", () => {
  const chart = { type: "parallel" as const, source: { kind: "runs" as const }, fields: { color: "summary.acc" }, dims: ["config.lr", "config.layers"], brush: true };
  it("round-trip through a link with the brush", () => {
    const view = { ...defaultView(), panels: [{ id: "c1", type: "chart" as const, title: "runs", chart }], brush: { "config.lr": { ranges: [[0, 1]] as [number, number][] } } };
    expect(decodeView(encodeView(view))).toEqual(view);
  });
  it("drop a chart panel whose spec names no known type or source", () => {
    expect(readChartSpec({ type: "pie3d", source: { kind: "runs" } })).toBeNull();
    expect(readChartSpec({ type: "pie", source: { kind: "table" } })).toBeNull();
    expect(readChartSpec({ ...chart, fields: { color: 3, x: "a" }, bins: 9999 })).toEqual({ ...chart, fields: { x: "a" } });
  });
});

describe("frames", () => {
  it("filter rows in the browser with the filter bar's rows (runs source)", () => {
    const f = appendRows(emptyFrame(["lr", "opt"]), [
      [0.1, "adam"],
      [0.01, "sgd"],
      [null, "adam"],
    ]);
    expect(keptRows(f, [{ field: "lr", op: "$lt", value: "0.05" }])).toEqual([1]);
    expect(keptRows(f, [{ field: "opt", op: "$eq", value: "adam" }, { field: "lr", op: "$exists", value: "" }])).toEqual([0]);
    expect(keptRows(f, [{ field: "opt", op: "$in", value: "sgd,rms" }])).toEqual([1]);
    expect(numberOf("NaN")).toBeNull();
    expect(numberOf("2.5")).toBe(2.5);
  });
});
