import { describe, expect, it } from "vitest";
import { ema, positiveOnly } from "../../src/shaping/smoothing";

describe("ema", () => {
  it("is the identity at weight 0", () => {
    expect(ema([1, 5, 2], 0)).toEqual([1, 5, 2]);
  });
  it("is debiased: a constant series stays constant from the first point", () => {
    for (const v of ema([4, 4, 4, 4], 0.9)) expect(v).toBeCloseTo(4, 10);
  });
  it("damps a spike without moving the first point", () => {
    const s = ema([0, 0, 10, 0], 0.5);
    expect(s[0]).toBe(0);
    expect(s[2]!).toBeGreaterThan(0);
    expect(s[2]!).toBeLessThan(10);
  });
  it("passes gaps through without restarting the average", () => {
    const s = ema([2, null, NaN, 2], 0.6);
    expect(s[1]).toBeNull();
    expect(s[2]).toBeNull();
    expect(s[3]).toBeCloseTo(2, 10);
  });
  it("positiveOnly turns values a log axis cannot draw into gaps", () => {
    expect(positiveOnly([1, 0, -2, null, 3])).toEqual([1, null, null, null, 3]);
  });
});
