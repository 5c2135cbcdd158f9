import { describe, expect, it } from "vitest";
import type { Run } from "../../src/api/types";
import { SERIES_PER_REQUEST } from "../../src/api/batch";
import { sectionParts } from "../../src/pages/workspace/useSectionData";

const runs = (n: number, summary: Record<string, unknown> = {}) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, summary }) as unknown as Run);
const keys = (n: number) => Array.from({ length: n }, (_, i) => `train/k${i}`);

describe("sectionParts", () => {
  it("asks for a section of 10 keys over 10 runs in one request", () => {
    const rs = runs(10);
    expect(sectionParts(rs, rs.map((r) => r.id), keys(10), "step")).toEqual([{ runs: rs.map((r) => r.id), keys: keys(10), x: "step" }]);
  });

  it("never puts more than SERIES_PER_REQUEST runs x keys in one request", () => {
    for (const [n, k] of [[20, 10], [150, 3], [1, 120]]) {
      const rs = runs(n);
      const parts = sectionParts(rs, rs.map((r) => r.id), keys(k), "step");
      for (const p of parts) expect(p.runs.length * p.keys.length).toBeLessThanOrEqual(SERIES_PER_REQUEST);
      // Every (run, key) is asked for exactly once.
      const asked = parts.flatMap((p) => p.runs.flatMap((r) => p.keys.map((key) => `${r}|${key}`)));
      expect(new Set(asked).size).toBe(n * k);
      expect(asked).toHaveLength(n * k);
    }
  });

  it("reads a key whose runs defined a step metric against that metric", () => {
    const rs = runs(2, { _step_metrics: { "train/k1": "epoch" } });
    const parts = sectionParts(rs, ["r0", "r1"], keys(3), "step");
    expect(parts.map((p) => [p.x, p.keys])).toEqual([
      ["step", ["train/k0", "train/k2"]],
      ["epoch", ["train/k1"]],
    ]);
    expect(sectionParts(rs, [], keys(3), "step")).toEqual([]);
  });
});
