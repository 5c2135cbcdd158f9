import { describe, expect, it } from "vitest";
import { assignColors, PALETTE, withAlpha } from "../../src/shaping/colors";

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
