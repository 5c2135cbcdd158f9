// Pure shaping for the Object3D panel: the stored point rows, per-point colours, and the line
// segments of wandb's 3D boxes and vectors. Nothing here knows three.js; the viewer turns these
// arrays into GPU buffers as they are.
import { classColor } from "./media";

/** The column layout of stored points (schemas/media_descriptors.json, point_format). */
export type PointFormat = "xyz" | "xyzc" | "xyzrgb";
export const STRIDE: Record<PointFormat, number> = { xyz: 3, xyzc: 4, xyzrgb: 6 };

export interface PointRows {
  /** Row-major float32: x, y, z then the category or r, g, b (0..255). */
  data: Float32Array;
  stride: number;
  count: number;
  format: PointFormat;
}

export const isPointFormat = (f: unknown): f is PointFormat => f === "xyz" || f === "xyzc" || f === "xyzrgb";

/**
 * The decoded bytes (little-endian float32) as rows, without copying when they are aligned.
 * Typed arrays read in the platform's byte order, and every platform a browser runs WebGL on is
 * little-endian, so no byte swapping is done.
 */
export function pointRows(bytes: Uint8Array, format: PointFormat): PointRows {
  const stride = STRIDE[format];
  if (bytes.byteLength % (stride * 4) !== 0)
    throw new Error(`The point data is ${bytes.byteLength} bytes, not whole ${format} rows of ${stride} float32.`);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const data = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  return { data, stride, count: data.length / stride, format };
}

/** RGB bytes per point of an xyzc cloud: each category in its class colour (the same as image classes). */
export function categoryColors(rows: PointRows): Uint8Array {
  const out = new Uint8Array(rows.count * 3);
  const cache = new Map<number, [number, number, number]>();
  const { data, stride } = rows;
  for (let i = 0; i < rows.count; i++) {
    const c = Math.round(data[i * stride + 3]);
    let rgb = cache.get(c);
    if (!rgb) cache.set(c, (rgb = classColor(c)));
    out[i * 3] = rgb[0];
    out[i * 3 + 1] = rgb[1];
    out[i * 3 + 2] = rgb[2];
  }
  return out;
}

/** The distinct categories of an xyzc cloud, ascending (for the legend). */
export function categories(rows: PointRows, limit = 64): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < rows.count && seen.size < limit; i++) seen.add(Math.round(rows.data[i * rows.stride + 3]));
  return [...seen].sort((a, b) => a - b);
}

type Vec3 = readonly [number, number, number] | readonly number[];
export interface Box3D {
  corners: Vec3[];
  label?: string;
  color?: Vec3;
  score?: number;
}
export interface Vector3D {
  start: Vec3;
  end: Vec3;
  color?: Vec3;
}

/** Line segments as the GPU takes them: two xyz points and two RGB (0..1) colours per segment. */
export interface Segments {
  positions: Float32Array;
  colors: Float32Array;
}

const sub = (a: Vec3, b: Vec3) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (a: Vec3) => Math.hypot(a[0], a[1], a[2]);

/**
 * The 12 edges of a box given by its 8 corners in any order (wandb does not fix one). From one
 * corner the other seven lie at u, v, w, u+v, u+w, v+w and u+v+w: the edge directions are the
 * three that are not the sum of two others, and two corners share an edge when they differ by one
 * of them. Corners that are not a parallelepiped fall back to each corner's three nearest.
 */
export function boxEdges(corners: readonly Vec3[]): [number, number][] {
  if (corners.length !== 8) return [];
  const d = corners.slice(1).map((c) => sub(c, corners[0]));
  const scale = Math.max(...d.map(norm)) || 1;
  const near = (a: Vec3, b: Vec3) => norm(sub(a, b)) <= 1e-4 * scale;
  const axes = d.filter((dk, k) => !d.some((di, i) => i !== k && d.some((dj, j) => j !== k && j !== i && near([di[0] + dj[0], di[1] + dj[1], di[2] + dj[2]], dk))));
  const edges: [number, number][] = [];
  if (axes.length === 3) {
    for (let i = 0; i < 8; i++)
      for (let j = i + 1; j < 8; j++) {
        const e = sub(corners[j], corners[i]);
        if (axes.some((a) => near(a, e) || near(a, [-e[0], -e[1], -e[2]]))) edges.push([i, j]);
      }
    if (edges.length === 12) return edges;
  }
  const seen = new Set<string>();
  const out: [number, number][] = [];
  corners.forEach((c, i) => {
    const byDist = corners.map((o, j) => [norm(sub(o, c)), j] as const).filter(([, j]) => j !== i).sort((a, b) => a[0] - b[0]);
    for (const [, j] of byDist.slice(0, 3)) {
      const key = i < j ? `${i}-${j}` : `${j}-${i}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(i < j ? [i, j] : [j, i]);
    }
  });
  return out;
}

const rgb01 = (c: Vec3 | undefined, fallback: [number, number, number]): [number, number, number] =>
  c ? [c[0] / 255, c[1] / 255, c[2] / 255] : fallback;

const BOX_DEFAULT: [number, number, number] = [0.3, 1, 0.3];
const VECTOR_DEFAULT: [number, number, number] = [1, 0.85, 0.2];

function segments(list: [Vec3, Vec3, [number, number, number]][]): Segments {
  const positions = new Float32Array(list.length * 6);
  const colors = new Float32Array(list.length * 6);
  list.forEach(([a, b, c], i) => {
    positions.set([a[0], a[1], a[2], b[0], b[1], b[2]], i * 6);
    colors.set([...c, ...c], i * 6);
  });
  return { positions, colors };
}

/** Every box's edges as one set of line segments, each box in its colour (green when it has none). */
export function boxSegments(boxes: readonly Box3D[]): Segments {
  return segments(boxes.flatMap((b) => boxEdges(b.corners).map(([i, j]) => [b.corners[i], b.corners[j], rgb01(b.color, BOX_DEFAULT)] as [Vec3, Vec3, [number, number, number]])));
}

/**
 * Each vector as its shaft plus four short lines from the tip back around it (an arrow head that
 * reads from any side), so all vectors are one draw call.
 */
export function vectorSegments(vectors: readonly Vector3D[]): Segments {
  const list: [Vec3, Vec3, [number, number, number]][] = [];
  for (const v of vectors) {
    const dir = sub(v.end, v.start);
    const len = norm(dir);
    const color = rgb01(v.color, VECTOR_DEFAULT);
    list.push([v.start, v.end, color]);
    if (len === 0) continue;
    const f = dir.map((x) => x / len);
    // Any vector not parallel to the shaft gives two perpendiculars by cross products.
    const other = Math.abs(f[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const p = cross(f, other);
    const pn = norm(p);
    const p1 = p.map((x) => x / pn);
    const p2 = cross(f, p1);
    const head = len * 0.15;
    for (const [s1, s2] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const back = [0, 1, 2].map((k) => v.end[k] - f[k] * head + (p1[k] * s1 + p2[k] * s2) * head * 0.4);
      list.push([v.end, back, color]);
    }
  }
  return segments(list);
}

function cross(a: Vec3, b: Vec3): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** A sphere around every finite point (the bounding box's centre and half diagonal): one pass, for fitting the camera. */
export function pointBounds(rows: PointRows): { center: [number, number, number]; radius: number } {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const { data, stride } = rows;
  for (let i = 0; i < data.length; i += stride) {
    const x = data[i];
    const y = data[i + 1];
    const z = data[i + 2];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
    if (x < lo[0]) lo[0] = x;
    if (x > hi[0]) hi[0] = x;
    if (y < lo[1]) lo[1] = y;
    if (y > hi[1]) hi[1] = y;
    if (z < lo[2]) lo[2] = z;
    if (z > hi[2]) hi[2] = z;
  }
  if (!(hi[0] >= lo[0])) return { center: [0, 0, 0], radius: 1 };
  const center: [number, number, number] = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  return { center, radius: Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2 || 1 };
}
