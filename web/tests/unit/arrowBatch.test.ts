import { describe, expect, it } from "vitest";
import { bool, float64, int64, largeList, largeUtf8, tableFromArrays, tableToIPC } from "@uwdata/flechette";
import { decodeBatch } from "../../src/shaping/arrowBatch";

type Row = { run: string; key: string | null; raw: boolean; last: number | null; warnings: string[]; x0: number[]; x1: number[]; min: (number | null)[]; max: (number | null)[]; mean: (number | null)[] };

/** An Arrow stream shaped as the batch route writes it (large strings and lists, as Polars does). */
function stream(rows: Row[]): Uint8Array {
  const col = <K extends keyof Row>(k: K) => rows.map((r) => r[k]);
  const list = largeList(float64());
  const table = tableFromArrays(
    {
      run: col("run"),
      key: col("key"),
      raw: col("raw"),
      last_step: col("last"),
      warnings: col("warnings"),
      x0: col("x0"),
      x1: col("x1"),
      min: col("min"),
      max: col("max"),
      mean: col("mean"),
    },
    { types: { run: largeUtf8(), key: largeUtf8(), raw: bool(), last_step: int64(), warnings: largeList(largeUtf8()), x0: list, x1: list, min: list, max: list, mean: list } },
  );
  return tableToIPC(table, { format: "stream" })!;
}

describe("decodeBatch", () => {
  it("draws buckets at their middle over a min-max band, and raw points as their own envelope", () => {
    const out = decodeBatch(
      stream([
        { run: "a", key: "loss", raw: false, last: 19, warnings: [], x0: [0, 10], x1: [9, 19], min: [0.1, 0.2], max: [99, 0.4], mean: [10, 0.3] },
        { run: "b", key: "loss", raw: true, last: 2, warnings: [], x0: [0, 1, 2], x1: [0, 1, 2], min: [5, 6, 7], max: [5, 6, 7], mean: [5, 6, 7] },
      ]),
    );
    expect(out.series.a.loss).toEqual({ x: [4.5, 14.5], y: [10, 0.3], lo: [0.1, 0.2], hi: [99, 0.4] });
    expect(out.series.b.loss).toEqual({ x: [0, 1, 2], y: [5, 6, 7], lo: [5, 6, 7], hi: [5, 6, 7] });
    expect(out.lastStep).toEqual({ a: 19, b: 2 });
  });

  it("turns NaN, infinities and an all-NaN bucket's null mean into gaps", () => {
    const out = decodeBatch(stream([{ run: "a", key: "x", raw: false, last: 3, warnings: [], x0: [0, 2], x1: [1, 3], min: [NaN, 1], max: [Infinity, 2], mean: [null, -Infinity] }]));
    expect(out.series.a.x).toEqual({ x: [0.5, 2.5], y: [null, null], lo: [null, 1], hi: [null, 2] });
  });

  it("takes a run's last step and warnings from its keyless row, and reports each warning once", () => {
    const w = "skipped corrupt object k";
    const out = decodeBatch(
      stream([
        { run: "a", key: "loss", raw: true, last: 5, warnings: [w], x0: [5], x1: [5], min: [1], max: [1], mean: [1] },
        { run: "b", key: null, raw: true, last: 7, warnings: [w], x0: [], x1: [], min: [], max: [], mean: [] },
      ]),
    );
    expect(out.series.b).toEqual({});
    expect(out.lastStep.b).toBe(7);
    expect(out.warnings).toEqual([w]);
  });
});
