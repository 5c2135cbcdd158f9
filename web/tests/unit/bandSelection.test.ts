import { describe, expect, it } from "vitest";
import { bool, float64, int64, largeList, largeUtf8, tableFromArrays, tableToIPC, uint32 } from "@uwdata/flechette";
import { decodeBatch } from "../../src/shaping/arrowBatch";
import { bandLabel, splitSelection } from "../../src/shaping/selection";
import { bandParts } from "../../src/pages/workspace/useSectionBand";
import type { Run } from "../../src/api/types";

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("splitSelection", () => {
  it("draws the first N selected runs in the table's order as lines and the rest as the band", () => {
    const table = ids("r", 30);
    const selected = [...table].reverse(); // picked newest-last: the table's order still decides
    const { lines, band } = splitSelection(selected, table, 10);
    expect(lines).toEqual(table.slice(0, 10));
    expect(band).toEqual(table.slice(10));
  });

  it("puts runs the table has not listed after the listed ones, in the selection's order", () => {
    const { lines, band } = splitSelection(["old2", "r3", "old1", "r1"], ["r1", "r2", "r3"], 3);
    expect(lines).toEqual(["r1", "r3", "old2"]);
    expect(band).toEqual(["old1"]);
  });

  it("has no band when the selection fits, and drops runs outside the brush before splitting", () => {
    expect(splitSelection(["a", "b"], ["a", "b", "c"], 10)).toEqual({ lines: ["a", "b"], band: [] });
    const keep = (id: string) => id !== "a";
    expect(splitSelection(["a", "b", "c"], ["a", "b", "c"], 1, keep)).toEqual({ lines: ["b"], band: ["c"] });
  });

  it("names the band by how many runs it stands for", () => {
    expect(bandLabel(990)).toBe("990 other runs (min–max)");
    expect(bandLabel(1)).toBe("1 other run (min–max)");
  });
});

describe("bandParts", () => {
  const run = { id: "a", config: {}, summary: {} } as unknown as Run;
  it("asks for a section of 10 keys over 990 band runs in one request", () => {
    expect(bandParts([run], 990, ids("k", 10), "step")).toEqual([{ keys: ids("k", 10), x: "step" }]);
  });
  it("splits keys to stay under the route's band limits, and asks nothing without a band", () => {
    const parts = bandParts([run], 1000, ids("k", 45), "step");
    expect(parts.map((p) => p.keys.length)).toEqual([20, 20, 5]);
    expect(bandParts([run], 0, ids("k", 5), "step")).toEqual([]);
  });
});

describe("decodeBatch with a band", () => {
  it("reads null-run rows as the band of their key, with the runs per slot", () => {
    const list = largeList(float64());
    const table = tableFromArrays(
      {
        run: ["a", null],
        key: ["loss", "loss"],
        raw: [true, false],
        last_step: [2, null],
        warnings: [[], ["band warning"]],
        x0: [[0, 1, 2], [0, 1, 2]],
        x1: [[0, 1, 2], [0, 1, 2]],
        min: [[5, 6, 7], [1, 2, 3]],
        max: [[5, 6, 7], [9, 8, Infinity]],
        mean: [[5, 6, 7], [4, 5, 6]],
        count: [[1, 1, 1], [990, 990, 12]],
      },
      {
        types: {
          run: largeUtf8(),
          key: largeUtf8(),
          raw: bool(),
          last_step: int64(),
          warnings: largeList(largeUtf8()),
          x0: list,
          x1: list,
          min: list,
          max: list,
          mean: list,
          count: largeList(uint32()),
        },
      },
    );
    const out = decodeBatch(tableToIPC(table, { format: "stream" })!);
    expect(out.series).toEqual({ a: { loss: { x: [0, 1, 2], y: [5, 6, 7], lo: [5, 6, 7], hi: [5, 6, 7] } } });
    expect(out.band).toEqual({ loss: { x: [0, 1, 2], y: [4, 5, 6], lo: [1, 2, 3], hi: [9, 8, null], runs: [990, 990, 12] } });
    expect(out.lastStep).toEqual({ a: 2 });
    expect(out.warnings).toEqual(["band warning"]);
  });

  it("has no band in a line answer", () => {
    const list = largeList(float64());
    const table = tableFromArrays(
      { run: ["a"], key: ["loss"], raw: [true], last_step: [0], warnings: [[]], x0: [[0]], x1: [[0]], min: [[1]], max: [[1]], mean: [[1]] },
      { types: { run: largeUtf8(), key: largeUtf8(), raw: bool(), last_step: int64(), warnings: largeList(largeUtf8()), x0: list, x1: list, min: list, max: list, mean: list } },
    );
    expect(decodeBatch(tableToIPC(table, { format: "stream" })!).band).toBeUndefined();
  });
});
