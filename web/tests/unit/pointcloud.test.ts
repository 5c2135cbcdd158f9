import { describe, expect, it } from "vitest";
import { classColor } from "../../src/shaping/media";
import { boxEdges, boxSegments, categories, categoryColors, pointBounds, pointRows, vectorSegments } from "../../src/shaping/pointcloud";

const bytesOf = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe("point cloud shaping", () => {
  it("reads little-endian float32 rows in each point format", () => {
    const rows = pointRows(bytesOf([1, 2, 3, 0, 4, 5, 6, 1]), "xyzc");
    expect([rows.count, rows.stride]).toEqual([2, 4]);
    expect(Array.from(rows.data)).toEqual([1, 2, 3, 0, 4, 5, 6, 1]);
    expect(pointRows(bytesOf([1, 2, 3, 255, 0, 0]), "xyzrgb").count).toBe(1);
  });

  it("copies unaligned bytes instead of failing, and refuses partial rows", () => {
    const padded = new Uint8Array(13);
    padded.set(bytesOf([1, 2, 3]), 1);
    expect(Array.from(pointRows(padded.subarray(1), "xyz").data)).toEqual([1, 2, 3]);
    expect(() => pointRows(bytesOf([1, 2, 3, 4]), "xyz")).toThrow(/not whole xyz rows/);
  });

  it("colours categories as image classes are coloured, and lists them", () => {
    const rows = pointRows(bytesOf([0, 0, 0, 2, 1, 1, 1, 0, 2, 2, 2, 2]), "xyzc");
    expect(Array.from(categoryColors(rows).slice(0, 6))).toEqual([...classColor(2), ...classColor(0)]);
    expect(categories(rows)).toEqual([0, 2]);
  });

  it("bounds the finite points", () => {
    const b = pointBounds(pointRows(bytesOf([0, 0, 0, 2, 0, 0, NaN, 5, 5]), "xyz"));
    expect(b.center).toEqual([1, 0, 0]);
    expect(b.radius).toBe(1);
  });

  it("finds a box's 12 edges whatever order its corners come in", () => {
    // wandb's documented example order, and a rotated long thin box shuffled.
    const wandb = [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]];
    const edges = boxEdges(wandb);
    expect(edges).toHaveLength(12);
    for (const [i, j] of edges) expect(Math.hypot(...wandb[i].map((v, k) => v - wandb[j][k]))).toBeCloseTo(1);
    const c = Math.cos(0.5);
    const s = Math.sin(0.5);
    const thin = [[0, 0, 0], [10, 0, 0], [0, 1, 0], [10, 1, 0], [0, 0, 1], [10, 0, 1], [0, 1, 1], [10, 1, 1]]
      .map(([x, y, z]) => [c * x - s * y, s * x + c * y, z])
      .reverse();
    const lengths = boxEdges(thin).map(([i, j]) => Math.round(Math.hypot(...thin[i].map((v, k) => v - thin[j][k]))));
    expect(lengths.sort((a, b) => a - b)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 10, 10, 10, 10]);
  });

  it("turns boxes and vectors into coloured segments", () => {
    const corners = [0, 1].flatMap((x) => [0, 1].flatMap((y) => [0, 1].map((z) => [x, y, z])));
    const boxes = boxSegments([{ corners, color: [255, 0, 0] }]);
    expect(boxes.positions).toHaveLength(12 * 6);
    expect(Array.from(boxes.colors.slice(0, 3))).toEqual([1, 0, 0]);
    const arrow = vectorSegments([{ start: [0, 0, 0], end: [0, 0, 2] }]);
    expect(arrow.positions).toHaveLength(5 * 6); // the shaft and four head lines
    expect(Array.from(arrow.positions.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 2]);
    // Head lines start at the tip and end behind it.
    expect(arrow.positions[9 + 2]).toBeCloseTo(2 - 0.3);
  });
});
