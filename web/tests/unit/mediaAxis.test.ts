import { describe, expect, it } from "vitest";
import { axisStops, shownAt, stepValues, STEP_AXIS, stopLabel, type StepX } from "../../src/shaping/mediaAxis";

const points = (x: number[], y: number[]) => ({ raw: true, points: { x, y } });

describe("media slider on a metric axis", () => {
  it("takes each media step's value at or before it from raw points", () => {
    const { values, refine } = stepValues(points([0, 4, 8], [0, 1, 2]), [2, 4, 6, 10, -1]);
    expect([...values]).toEqual([[2, 0], [4, 1], [6, 1], [10, 2]]);
    expect(refine).toEqual([]);
  });

  it("skips a NaN value for the nearest earlier finite one", () => {
    expect(stepValues(points([0, 4], [1, NaN]), [5]).values.get(5)).toBe(1);
  });

  it("settles what buckets can and lists the rest to read point by point", () => {
    const buckets = {
      raw: false,
      buckets: {
        x0: [0, 100, 200],
        x1: [99, 199, 299],
        count: [100, 100, 100],
        min: [0, 1, 2],
        max: [0, 2, 2],
        mean: [0, 1.5, 2],
        first: [0, 1, 2],
        last: [0, 2, 2],
      },
    };
    const { values, refine } = stepValues(buckets, [50, 99, 100, 150, 250, 400]);
    // Equal values settle inside a bucket, its first and last at its ends; 150 falls inside a bucket that changes.
    expect([...values]).toEqual([[50, 0], [99, 0], [100, 1], [150, 1], [250, 2], [400, 2]]);
    expect(refine).toEqual([{ min: 100, max: 199, steps: [150] }]);
  });

  it("orders stops by x then step, steps without a value first, and shows each run its last media at or before", () => {
    const xs: StepX = new Map([
      [10, 3],
      [20, 1],
      [30, 2],
    ]);
    const stops = axisStops([{ steps: [5, 10, 20, 30], xs }]);
    expect(stops).toEqual([
      { step: 5, x: undefined },
      { step: 20, x: 1 },
      { step: 30, x: 2 },
      { step: 10, x: 3 },
    ]);
    expect(shownAt([10, 20, 30], xs, { step: 30, x: 2 })).toBe(30);
    expect(shownAt([10, 20], xs, { step: 30, x: 2 })).toBe(20);
    expect(shownAt([10], xs, { step: 20, x: 1 })).toBeUndefined();
  });

  it("on the step axis is the nearest earlier step with media", () => {
    const stops = axisStops([
      { steps: [0, 10], xs: null },
      { steps: [10, 20], xs: null },
    ]);
    expect(stops.map((s) => s.step)).toEqual([0, 10, 20]);
    expect(shownAt([0, 10], null, { step: 20, x: 20 })).toBe(10);
  });

  it("labels the slider by its axis", () => {
    expect(stopLabel(STEP_AXIS, { step: 10, x: 10 })).toBe("step 10");
    expect(stopLabel("epoch", { step: 10, x: 3 })).toBe("epoch 3");
    expect(stopLabel("lr", { step: 10, x: 0.000123456 })).toBe("lr 0.0001235");
    expect(stopLabel("epoch", { step: 5, x: undefined })).toBe("epoch – (step 5)");
  });
});
