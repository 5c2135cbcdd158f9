import { describe, expect, it } from "vitest";
import { alignSeries, mergeTail, seriesFromApi, spliceRange, relativeX } from "../../src/shaping/series";

const raw = (x: number[], y: number[]) => seriesFromApi({ raw: true, points: { x, y } });

describe("seriesFromApi", () => {
  it("keeps bucket min and max so a spike inside a bucket is not lost", () => {
    const s = seriesFromApi({
      raw: false,
      buckets: { x0: [0, 10], x1: [9, 19], count: [10, 10], min: [0.1, 0.2], max: [99, 0.4], mean: [10, 0.3], first: [1, 0.2], last: [0.1, 0.4] },
    });
    expect(s.x).toEqual([4.5, 14.5]);
    expect(s.y).toEqual([10, 0.3]);
    expect(s.hi[0]).toBe(99);
    expect(s.lo[1]).toBe(0.2);
  });
  it("drops empty buckets and reads ISO times as epoch ms", () => {
    const s = seriesFromApi({
      raw: false,
      buckets: { x0: [0, 5], x1: [4, 9], count: [0, 3], min: [null, 1], max: [null, 2], mean: [null, 1.5], first: [null, 1], last: [null, 2] },
    });
    expect(s.x).toEqual([7]);
    const t = seriesFromApi({ raw: true, points: { x: ["2026-01-01T00:00:00Z" as unknown as number], y: [3] } });
    expect(t.x).toEqual([Date.UTC(2026, 0, 1)]);
  });
  it("treats raw points as their own envelope", () => {
    const s = raw([1, 2], [5, 6]);
    expect(s.lo).toEqual([5, 6]);
    expect(s.hi).toEqual([5, 6]);
  });
});

describe("mergeTail", () => {
  it("appends new steps and replaces a re-sent step instead of duplicating it", () => {
    const m = mergeTail(raw([0, 1, 2], [1, 1, 1]), raw([2, 3], [9, 9]));
    expect(m.x).toEqual([0, 1, 2, 3]);
    expect(m.y).toEqual([1, 1, 9, 9]);
  });
  it("leaves the series alone when the tail is empty", () => {
    const base = raw([0, 1], [1, 2]);
    expect(mergeTail(base, raw([], []))).toBe(base);
  });
});

describe("spliceRange", () => {
  it("replaces coarse points inside the zoomed range with the detailed ones", () => {
    const m = spliceRange(raw([0, 10, 20, 30], [0, 1, 2, 3]), raw([10, 11, 12, 20], [5, 6, 7, 8]), 10, 20);
    expect(m.x).toEqual([0, 10, 11, 12, 20, 30]);
    expect(m.y).toEqual([0, 5, 6, 7, 8, 3]);
  });
});

describe("alignSeries", () => {
  it("puts runs on the union of their x values with gaps as null", () => {
    const { x, cols } = alignSeries([raw([0, 2], [1, 3]), raw([1, 2], [10, 30])]);
    expect(x).toEqual([0, 1, 2]);
    expect(cols[0].y).toEqual([1, null, 3]);
    expect(cols[1].y).toEqual([null, 10, 30]);
  });
  it("relativeX starts each run at zero", () => {
    expect(relativeX(raw([1000, 1500], [1, 2])).x).toEqual([0, 500]);
  });
});
