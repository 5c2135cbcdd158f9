import { describe, expect, it } from "vitest";
import { histogram } from "../../src/shaping/histogram";
import { groupKeys } from "../../src/pages/workspace/sections";
import { formatValue, parseFilterValue } from "../../src/shaping/fields";

describe("histogram", () => {
  it("counts every finite value once, the maximum in the last bin", () => {
    const h = histogram([0, 1, 2, 3, 4, NaN, Infinity], 4);
    expect(h.count).toEqual([1, 1, 1, 2]);
    expect(h.count.reduce((a, b) => a + b)).toBe(5);
    expect(h.x0[0]).toBe(0);
    expect(h.x1[3]).toBe(4);
  });
  it("puts equal values in one bin", () => {
    expect(histogram([2, 2, 2], 10).count).toEqual([3]);
    expect(histogram([], 10).count).toEqual([]);
  });
});

describe("metric sections", () => {
  it("groups keys by prefix, unprefixed keys first under Charts", () => {
    expect(groupKeys(["val/loss", "lr", "train/loss", "train/acc", "epoch"])).toEqual([
      ["Charts", ["lr", "epoch"]],
      ["train", ["train/loss", "train/acc"]],
      ["val", ["val/loss"]],
    ]);
  });
});

describe("values", () => {
  it("formats numbers compactly and keeps integers exact", () => {
    expect(formatValue(12345678)).toBe("12345678");
    expect(formatValue(0.000012345)).toBe("1.234e-5");
    expect(formatValue(0.123456789)).toBe("0.12346");
    expect(formatValue(null)).toBe("");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
  });
  it("types filter input: numbers, booleans, null, else text", () => {
    expect(parseFilterValue(" 3e-4 ")).toBe(0.0003);
    expect(parseFilterValue("true")).toBe(true);
    expect(parseFilterValue("null")).toBeNull();
    expect(parseFilterValue("adam")).toBe("adam");
    expect(parseFilterValue("")).toBe("");
  });
});
