import { describe, expect, it } from "vitest";
import { boxStats, brushIntervals, buildChart, findCycle, quantile, surfaceGrid, type Built, type Option } from "../../src/shaping/chartOptions";
import type { ChartSpec } from "../../src/shaping/chartSpec";
import { allRows, appendRows, emptyFrame, type Frame } from "../../src/shaping/frame";

function frameOf(rows: Record<string, unknown>[], kinds: Record<string, string> = {}): Frame {
  const columns = Object.keys(rows[0]);
  return appendRows(emptyFrame(columns, kinds), rows.map((r) => columns.map((c) => r[c])));
}
const src = { kind: "table" as const, run: "r", key: "t" };
const spec = (type: ChartSpec["type"], fields: ChartSpec["fields"], extra: Partial<ChartSpec> = {}): ChartSpec => ({ type, source: src, fields, ...extra });
function built(s: ChartSpec, f: Frame): Built {
  const b = buildChart(s, f, allRows(f));
  if ("error" in b) throw new Error(b.error);
  return b;
}
const series = (o: Option) => o.series as Record<string, unknown>[];

const rows = [
  { x: 1, y: 10, g: "a", country: "France", src: "in", dst: "mid", w: 2 },
  { x: 0, y: 5, g: "b", country: "Atlantis", src: "mid", dst: "out", w: 3 },
  { x: 2, y: null, g: "a", country: "France", src: "in", dst: "mid", w: 1 },
];

describe("buildChart", () => {
  const f = frameOf(rows, { x: "int", y: "number", g: "str" });

  it("says which mapped column is missing, with the columns there are, instead of drawing nothing", () => {
    const b = buildChart(spec("scatter", { x: "x", y: "acc" }), f, allRows(f));
    expect("error" in b && b.error).toMatch(/"Y" is mapped to "acc", which is not a column of this data\. Its columns are: x, y, g/);
    const required = buildChart(spec("line", { x: "x" }), f, allRows(f));
    expect("error" in required && required.error).toBe('Choose a column for "Y".');
  });

  it("splits a line into one series per group, sorted by x, and notes rows without y", () => {
    const b = built(spec("line", { x: "x", y: "y", group: "g" }), f);
    expect(series(b.option).map((s) => [s.name, s.data])).toEqual([
      ["a", [[1, 10]]],
      ["b", [[0, 5]]],
    ]);
    expect(b.notes[0]).toMatch(/^1 row without/);
  });

  it("sums bar values per category and counts pie slices when no value column is given", () => {
    const bar = built(spec("bar", { x: "g", y: "w" }), f);
    expect((bar.option.xAxis as Option).data).toEqual(["a", "b"]);
    expect(series(bar.option)[0].data).toEqual([3, 3]);
    const pie = built(spec("pie", { x: "g" }), f);
    expect(series(pie.option)[0].data).toEqual([
      { name: "a", value: 2 },
      { name: "b", value: 1 },
    ]);
  });

  it("bins a histogram over the values' range", () => {
    const h = frameOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => ({ v })));
    const b = built(spec("histogram", { x: "v" }, { bins: 5 }), h);
    expect(series(b.option)[0].data).toEqual([2, 2, 2, 2, 2]);
  });

  it("counts heatmap cells, top to bottom as a confusion matrix", () => {
    const b = buildChart(spec("heatmap", { x: "g", y: "country" }), f, allRows(f), { matrix: true }) as Built;
    expect(series(b.option)[0].data).toEqual([
      [0, 0, 2],
      [1, 1, 1],
    ]);
    expect((b.option.yAxis as Option).inverse).toBe(true);
  });

  it("refuses a sankey whose flows loop, naming the loop", () => {
    const loop = frameOf([
      { s: "a", t: "b" },
      { s: "b", t: "a" },
    ]);
    const b = buildChart(spec("sankey", { x: "s", y: "t" }), loop, allRows(loop));
    expect("error" in b && b.error).toMatch(/a → b → a/);
    expect(findCycle([{ source: "in", target: "mid" }, { source: "mid", target: "out" }])).toBeNull();
  });

  it("names countries the world shapes do not know", () => {
    const b = buildChart(spec("geo", { x: "country", y: "w" }), f, allRows(f), { countries: new Set(["France"]) }) as Built;
    expect(series(b.option)[0].data).toEqual([
      { name: "France", value: 3 },
      { name: "Atlantis", value: 3 },
    ]);
    expect(b.notes.join(" ")).toMatch(/No country is named "Atlantis"/);
    expect(b.geo).toBe(true);
  });

  it("draws a surface only over a full grid, and marks 3D charts for echarts-gl", () => {
    expect(surfaceGrid([[0, 0, 1], [1, 0, 2], [0, 1, 3], [1, 1, 4]])).toEqual({ data: [[0, 0, 1], [0, 1, 3], [1, 0, 2], [1, 1, 4]] });
    expect(surfaceGrid([[0, 0, 1], [1, 1, 4]])).toEqual({ missing: [0, 1], xs: 2, ys: 2 });
    const g = frameOf([{ a: 0, b: 0, c: 1 }, { a: 1, b: 1, c: 2 }]);
    const partial = buildChart(spec("3d", { x: "a", y: "b", z: "c" }, { surface: true }), g, allRows(g));
    expect("error" in partial && partial.error).toMatch(/A surface needs a z at every \(x, y\)/);
    expect(built(spec("3d", { x: "a", y: "b", z: "c" }), g).gl).toBe(true);
  });

  it("lays parallel axes out by type and keeps a brush as axis intervals", () => {
    const b = buildChart(spec("parallel", { color: "y" }, { dims: ["x", "g"] }), f, allRows(f), { brush: { g: { values: ["b"] }, x: { ranges: [[0, 1]] } } }) as Built;
    const axes = b.option.parallelAxis as Option[];
    expect(axes.map((a) => a.type)).toEqual(["value", "category"]);
    expect((b.option as { __brush: unknown }).__brush).toEqual([[[0, 1]], [[1, 1]]]);
    expect(series(b.option)[0].data).toEqual([
      [1, "a", 10],
      [0, "b", 5],
      [2, "a", null],
    ]);
    expect(brushIntervals({ values: ["a", "b", "d"] }, false, ["a", "b", "c", "d"])).toEqual([
      [0, 1],
      [3, 3],
    ]);
  });

  it("sends over 5,000 scatter points as one flat typed array of squares, in large mode", () => {
    const big = frameOf(Array.from({ length: 6000 }, (_, i) => ({ x: i, y: i % 7 })));
    const s = series(built(spec("scatter", { x: "x", y: "y" }), big).option)[0];
    expect(s.large).toBe(true);
    expect(s.data).toBeInstanceOf(Float64Array);
    expect(s.dimensions).toEqual(["x", "y"]);
    expect(Array.from((s.data as Float64Array).subarray(0, 4))).toEqual([0, 0, 1, 1]);
    expect((s.data as Float64Array).length).toBe(12000);
    expect(s.symbol).toBe("rect");
  });
});

describe("box statistics", () => {
  it("matches numpy's linear quantiles and Tukey's whiskers", () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    const { box, outliers } = boxStats([1, 2, 3, 4, 5, 6, 7, 8, 100]);
    expect(box).toEqual([1, 3, 5, 7, 8]);
    expect(outliers).toEqual([100]);
  });
});
