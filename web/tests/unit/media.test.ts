import { describe, expect, it } from "vitest";
import { boxRect, classColor, heatmap, level, nearestAtOrBefore, quantile, unionSteps } from "../../src/shaping/media";

describe("media shaping", () => {
  it("finds the nearest step at or before, and none before the first", () => {
    const steps = [0, 10, 20];
    expect(nearestAtOrBefore(steps, 10)).toBe(10);
    expect(nearestAtOrBefore(steps, 15)).toBe(10);
    expect(nearestAtOrBefore(steps, 99)).toBe(20);
    expect(nearestAtOrBefore(steps, -1)).toBeUndefined();
    expect(nearestAtOrBefore([], 3)).toBeUndefined();
  });

  it("unions the steps of a section's keys", () => {
    expect(unionSteps([[0, 10], [5, 10, 20]])).toEqual([0, 5, 10, 20]);
  });

  it("puts every step's counts on one axis and keeps the total", () => {
    const h = heatmap(
      [
        { step: 0, bins: [0, 1, 2], values: [4, 0] },
        { step: 1, bins: [1, 2, 3, 4], values: [1, 2, 3] },
      ],
      4,
    );
    expect([h.lo, h.hi]).toEqual([0, 4]);
    expect(h.rows[0]).toEqual([4, 0, 0, 0]);
    expect(h.rows[1]).toEqual([0, 1, 2, 3]);
    expect(h.steps).toEqual([0, 1]);
  });

  it("ranges colours over the 1st to 99th percentile, so one spike does not wash out the rest", () => {
    const values = Array.from({ length: 200 }, (_, i) => (i === 0 ? 1e6 : 1 + (i % 5)));
    const h = heatmap(values.map((v, i) => ({ step: i, bins: [0, 1], values: [v] })), 1);
    expect(h.vmax).toBeLessThan(10);
    expect(level(1e6, h.vmin, h.vmax)).toBe(1);
    expect(level(0, h.vmin, h.vmax)).toBe(0);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });

  it("skips malformed histograms instead of drawing garbage", () => {
    expect(heatmap([{ step: 0, bins: [0, 1], values: [1, 2] }]).rows).toEqual([]);
  });

  it("reads both wandb box positions, in fractions or pixels", () => {
    const r = boxRect({ minX: 0.1, maxX: 0.5, minY: 0.2, maxY: 0.6 }, false, 100, 100)!;
    expect([r.x, r.y, r.w, r.h].map((v) => Math.round(v * 1000) / 1000)).toEqual([0.1, 0.2, 0.4, 0.4]);
    expect(boxRect({ middle: [50, 50], width: 20, height: 10 }, true, 100, 200)).toEqual({ x: 0.4, y: 0.225, w: 0.2, h: 0.05 });
    expect(boxRect({}, false, 1, 1)).toBeNull();
    expect(classColor(1)).not.toEqual(classColor(2));
  });
});

describe("media queries", () => {
  it("keep an item fresh for half its presigned URLs' lifetime, never longer", async () => {
    const { mediaItemQuery } = await import("../../src/queries/media");
    const q = mediaItemQuery({ id: "r", project_id: "p" }, "img", 3);
    const stale = q.staleTime as (query: { state: { data?: { url_expires_s: number } } }) => number;
    expect(stale({ state: { data: { url_expires_s: 900 } } })).toBe(450_000);
    expect(stale({ state: {} })).toBe(0);
    expect(q.queryKey).toEqual(["runs", "p", "r", "media", "item", "img", 3]);
  });
});
