import { describe, expect, it } from "vitest";
import { assignColors, colorDistance, PALETTE, withAlpha } from "../../src/shaping/colors";

describe("assignColors", () => {
  it("gives distinct colours while the palette lasts", () => {
    const ids = Array.from({ length: PALETTE.length }, (_, i) => `run${i}`);
    expect(new Set(Object.values(assignColors(ids))).size).toBe(PALETTE.length);
  });
  it("is deterministic for the same selection", () => {
    expect(assignColors(["a", "b", "c"])).toEqual(assignColors(["a", "b", "c"]));
  });
  it("keeps a run's colour when others are added or removed", () => {
    const first = assignColors(["a", "b", "c"]);
    const second = assignColors(["x", "c", "y"], first);
    expect(second.c).toBe(first.c);
    const third = assignColors(["c"], second);
    expect(third.c).toBe(first.c);
  });
  it("never hands one colour to two runs of a small selection", () => {
    const prev = { a: 3, b: 3 };
    const out = assignColors(["a", "b"], prev);
    expect(out.a).not.toBe(out.b);
  });
  it("withAlpha converts hex to rgba", () => {
    expect(withAlpha("#ff0000", 0.5)).toBe("rgba(255,0,0,0.5)");
  });
});

describe("PALETTE", () => {
  const minDistance = (colors: readonly string[]) => {
    let min = Infinity;
    for (let i = 0; i < colors.length; i++) for (let j = i + 1; j < colors.length; j++) min = Math.min(min, colorDistance(colors[i], colors[j]));
    return min;
  };
  it("keeps 20 runs' colours well apart (CIELAB distance)", () => {
    expect(PALETTE.length).toBeGreaterThanOrEqual(20);
    expect(minDistance(PALETTE.slice(0, 20))).toBeGreaterThan(24);
  });
  it("gives a handful of runs clearly different colours, never two purples", () => {
    expect(minDistance(PALETTE.slice(0, 5))).toBeGreaterThan(40);
    const five = assignColors(["r1", "r2", "r3", "r4", "r5"]);
    expect(minDistance(Object.values(five).map((s) => PALETTE[s]))).toBeGreaterThan(40);
  });
  it("measures the same colour as 0 and black to white as 100", () => {
    expect(colorDistance("#1f77b4", "#1f77b4")).toBe(0);
    expect(colorDistance("#000000", "#ffffff")).toBeCloseTo(100, 0);
  });
});
