import { describe, expect, it } from "vitest";
import { RUN_COUNT_COLUMNS, runCountCells } from "../../src/pages/projects/runCounts";

describe("projects list run counters", () => {
  it("shows crashed runs in their own column, not as failed", () => {
    expect(RUN_COUNT_COLUMNS.map((c) => c.label)).toEqual(["Running", "Finished", "Failed", "Crashed"]);
    expect(runCountCells({ running: 1, finished: 2, failed: 3, crashed: 4 })).toEqual([1, 2, 3, 4]);
  });
  it("shows 0 where a counter is missing", () => {
    expect(runCountCells(undefined)).toEqual([0, 0, 0, 0]);
    expect(runCountCells({ running: 5, finished: 1, failed: 0 })).toEqual([5, 1, 0, 0]);
  });
});
