import { describe, expect, it } from "vitest";
import { defaultBox, GRID_COLS, panelsPerRow, topRunsBy } from "../../src/pages/workspace/sections";
import { formatLogTime } from "../../src/pages/run/LogsTab";

describe("panel layout", () => {
  it("lets two panels share a wide row instead of leaving a third empty", () => {
    expect(panelsPerRow(1150, 2)).toBe(2);
    expect(defaultBox(1, 2)).toEqual({ x: 6, y: 0, w: 6, h: 9 });
    expect(panelsPerRow(1150, 7)).toBe(3);
    expect(panelsPerRow(500, 7)).toBe(1);
    expect(panelsPerRow(1150, 1)).toBe(1);
  });
  it("fills every row it lays out", () => {
    for (const perRow of [1, 2, 3]) {
      const row = Array.from({ length: perRow }, (_, i) => defaultBox(i, perRow));
      const last = row[row.length - 1];
      expect(last.x + last.w).toBe(GRID_COLS);
    }
  });
});

describe("top N by metric", () => {
  const runs = [
    { id: "a", summary: { loss: 0.3 } },
    { id: "b", summary: { loss: 0.1 } },
    { id: "c", summary: { loss: "n/a" } },
    { id: "d", summary: { nested: { loss: 2 }, loss: 0.2 } },
    { id: "e", summary: {} },
  ];
  it("picks the lowest or highest, leaving out runs without a number", () => {
    expect(topRunsBy(runs, "loss", "min", 2)).toEqual(["b", "d"]);
    expect(topRunsBy(runs, "loss", "max", 5)).toEqual(["a", "d", "b"]);
    expect(topRunsBy(runs, "nested.loss", "max", 5)).toEqual(["d"]);
  });
});

describe("log timestamps", () => {
  it("formats to the millisecond, and passes through what it cannot read", () => {
    expect(formatLogTime("2024-05-01T12:34:56.789Z")).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:56\.789$/);
    expect(formatLogTime("garbage")).toBe("garbage");
  });
});
