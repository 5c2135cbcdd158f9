import { describe, expect, it } from "vitest";
import { bandSeries, groupLabel } from "../../src/shaping/bands";

const band = { x: [0, 1, 2], mean: [1, 2, null], min: [0, 1, null], max: [2, 4, null], std: [0.5, 1, null], runs: [2, 2, 0] };

describe("bandSeries", () => {
  it("draws the mean over a min–max band", () => {
    expect(bandSeries(band, "minmax")).toEqual({ x: [0, 1, 2], y: [1, 2, null], lo: [0, 1, null], hi: [2, 4, null] });
  });
  it("or over mean ± one standard deviation", () => {
    expect(bandSeries(band, "std")).toEqual({ x: [0, 1, 2], y: [1, 2, null], lo: [0.5, 1, null], hi: [1.5, 3, null] });
  });
  it("has nothing to draw for a key the group did not log", () => {
    expect(bandSeries(undefined, "minmax").x).toEqual([]);
  });
  it("labels groups as the runs table does", () => {
    expect(groupLabel("sweep-a", 3)).toBe("sweep-a (3 runs)");
    expect(groupLabel(null, 1)).toBe("(none) (1 run)");
    expect(groupLabel(0.01, 2)).toBe("0.01 (2 runs)");
  });
});
