import { describe, expect, it } from "vitest";
import { formatDuration, secondsBetween } from "../../src/shaping/duration";

describe("formatDuration", () => {
  it("never rounds a short run down to 0 s", () => {
    expect(formatDuration(1)).toBe("1.0 s");
    expect(formatDuration(0.85)).toBe("850 ms");
    expect(formatDuration(1.25)).toBe("1.2 s");
    expect(formatDuration(9.99)).toBe("9.9 s");
    expect(formatDuration(0)).toBe("0 ms");
  });
  it("keeps the two largest units for long runs", () => {
    expect(formatDuration(45.6)).toBe("45 s");
    expect(formatDuration(185)).toBe("3 m 05 s");
    expect(formatDuration(7380)).toBe("2 h 03 m");
    expect(formatDuration(100_800)).toBe("1 d 04 h");
  });
  it("shows nothing for no value", () => {
    expect(formatDuration(null)).toBe("");
    expect(formatDuration(undefined)).toBe("");
    expect(formatDuration(Number.NaN)).toBe("");
    expect(formatDuration(-1)).toBe("");
  });
  it("measures between ISO times with sub-second precision", () => {
    expect(secondsBetween("2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:01.250000Z")).toBe(1.25);
    expect(secondsBetween("2026-01-01T00:00:00Z", null)).toBeNull();
  });
});
