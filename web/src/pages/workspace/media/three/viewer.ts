// The 3D viewer behind Object3DPanel: its own chunk with three.js and the zstd decoder, loaded
// only when such a panel opens. A point cloud is one BufferGeometry drawn as one Points call,
// straight from the decoded float32 rows (no per-point objects, no copy of xyz); boxes and vectors
// are one LineSegments each. Frames are drawn on demand (orbit, resize) and only while on screen.
import {
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  Float32BufferAttribute,
  HemisphereLight,
  InterleavedBuffer,
  InterleavedBufferAttribute,
  LineBasicMaterial,
  LineSegments,
  LinearSRGBColorSpace,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Scene,
  Sphere,
  Texture,
  Vector3,
  Box3,
  type Material,
  type Object3D,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import {
  boxSegments,
  categories,
  categoryColors,
  isPointFormat,
  pointBounds,
  pointRows,
  vectorSegments,
  type Box3D,
  type PointRows,
  type Segments,
  type Vector3D,
} from "../../../../shaping/pointcloud";
import { MESH_FORMATS, parseMesh } from "./meshes";
import { acquireRenderer, BACKGROUND, drawInto, releaseRenderer } from "./renderer";

export interface ViewerInput {
  /** The descriptor's format: pts.f32, pts.f32.zst or a mesh format. */
  format: string;
  pointFormat?: string;
  /** The file's bytes, zstd frames already decoded (fetchObject). */
  bytes: ArrayBuffer;
  boxes?: Box3D[];
  vectors?: Vector3D[];
}

/** Where the user left the camera, so the next step of the same key opens as it was seen. */
export interface CameraView {
  position: [number, number, number];
  target: [number, number, number];
}

export interface Viewer {
  /** An xyzc cloud's categories, for the legend. */
  categories: number[];
  /** The camera as it is now (orbited, zoomed). */
  view: () => CameraView;
  dispose: () => void;
}

function pointsObject(rows: PointRows): Points<BufferGeometry, PointsMaterial> {
  const geometry = new BufferGeometry();
  // The rows go to the GPU as they are: xyz (and rgb) read with a stride from the one buffer.
  const rowsBuffer = new InterleavedBuffer(rows.data, rows.stride);
  geometry.setAttribute("position", new InterleavedBufferAttribute(rowsBuffer, 3, 0));
  // Sizes in pixels (set per frame with the device pixel ratio): 1 for dense clouds, 3 for sparse.
  const material = new PointsMaterial({ sizeAttenuation: false });
  if (rows.format === "xyzrgb") {
    // Colours stay 0..255 floats in the rows; the material colour scales them to 0..1 on the GPU.
    geometry.setAttribute("color", new InterleavedBufferAttribute(rowsBuffer, 3, 3));
    material.vertexColors = true;
    material.color.setScalar(1 / 255);
  } else if (rows.format === "xyzc") {
    geometry.setAttribute("color", new BufferAttribute(categoryColors(rows), 3, true));
    material.vertexColors = true;
  } else material.color.setHex(0x9ccfff, LinearSRGBColorSpace);
  const b = pointBounds(rows);
  geometry.boundingSphere = new Sphere(new Vector3(...b.center), b.radius);
  return new Points(geometry, material);
}

function linesObject(s: Segments): LineSegments | null {
  if (s.positions.length === 0) return null;
  const geometry = new BufferGeometry();
  geometry.setAttribute("position", new Float32BufferAttribute(s.positions, 3));
  geometry.setAttribute("color", new Float32BufferAttribute(s.colors, 3));
  geometry.computeBoundingSphere();
  return new LineSegments(geometry, new LineBasicMaterial({ vertexColors: true }));
}

/** Puts the camera where the whole sphere is in view, looking at its centre. */
function fit(camera: PerspectiveCamera, controls: OrbitControls, sphere: Sphere, zUp: boolean) {
  const dist = (sphere.radius / Math.sin((camera.fov * Math.PI) / 360)) * 1.05;
  const dir = zUp ? new Vector3(1, -1.3, 0.9) : new Vector3(1, 0.9, 1.3);
  camera.position.copy(sphere.center).addScaledVector(dir.normalize(), dist);
  camera.near = dist / 1000;
  camera.far = dist * 10; // past the farthest zoom (maxDistance) plus the sphere
  camera.updateProjectionMatrix();
  controls.target.copy(sphere.center);
  controls.maxDistance = dist * 5;
  controls.update();
}

function disposeTree(root: Object3D) {
  root.traverse((o) => {
    const g = (o as { geometry?: BufferGeometry }).geometry;
    g?.dispose();
    const m = (o as { material?: Material | Material[] }).material;
    for (const mat of m ? ([] as Material[]).concat(m) : []) {
      for (const v of Object.values(mat)) if (v instanceof Texture) v.dispose();
      mat.dispose();
    }
  });
}

/**
 * Builds the scene of `input` and draws it into `canvas` (a 2D canvas the panel sizes), orbit
 * controls on it; the camera is fitted to the content, or kept where `view` says.
 */
export async function openViewer(canvas: HTMLCanvasElement, input: ViewerInput, view?: CameraView | null): Promise<Viewer> {
  const t0 = performance.now();
  const scene = new Scene();
  const isMesh = MESH_FORMATS.has(input.format);
  let cats: number[] = [];
  let content: Object3D;
  let points: Points<BufferGeometry, PointsMaterial> | null = null;
  if (isMesh) {
    content = await parseMesh(input.format, input.bytes);
    scene.add(new HemisphereLight(0xffffff, 0x30343c, 1));
  } else {
    if (!isPointFormat(input.pointFormat)) throw new Error(`Unknown point format ${String(input.pointFormat)}.`);
    const rows = pointRows(new Uint8Array(input.bytes), input.pointFormat);
    if (rows.format === "xyzc") cats = categories(rows);
    content = points = pointsObject(rows);
  }
  performance.measure("object3d scene", { start: t0 });
  scene.add(content);
  const sphere = points ? points.geometry.boundingSphere!.clone() : new Box3().setFromObject(content).getBoundingSphere(new Sphere());
  for (const lines of [linesObject(boxSegments(input.boxes ?? [])), linesObject(vectorSegments(input.vectors ?? []))])
    if (lines) {
      scene.add(lines);
      sphere.union(lines.geometry.boundingSphere!);
    }
  scene.background = new Color().setHex(BACKGROUND, LinearSRGBColorSpace);

  const camera = new PerspectiveCamera(45, 1, 0.01, 1000);
  if (isMesh) {
    // A light from the camera, along its view, so the side in front is always lit.
    const light = new DirectionalLight(0xffffff, 1.5);
    light.position.set(0, 0, 0);
    light.target.position.set(0, 0, -1);
    camera.add(light, light.target);
  } else camera.up.set(0, 0, 1); // point clouds (lidar) are z-up, meshes (glTF) y-up
  scene.add(camera);
  acquireRenderer();
  const controls = new OrbitControls(camera, canvas);
  if (sphere.isEmpty() || !Number.isFinite(sphere.radius)) sphere.set(new Vector3(), 1);
  fit(camera, controls, sphere, !isMesh);
  if (view) {
    camera.position.set(...view.position);
    controls.target.set(...view.target);
    controls.update();
  }

  let frame = 0;
  let visible = false;
  let stale = true;
  // Frames in a row that could not be drawn (the canvas not laid out yet, no renderer yet): tried
  // again on the next frame, for about two seconds, rather than waiting for a resize that may
  // already have happened.
  let missed = 0;
  const draw = () => {
    frame = 0;
    if (!visible) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    if (points) points.material.size = (points.geometry.attributes.position.count > 200_000 ? 1 : 3) * dpr;
    const w = Math.round(canvas.clientWidth * dpr);
    const h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    camera.aspect = w / Math.max(1, h);
    camera.updateProjectionMatrix();
    if (!drawInto(canvas, scene, camera)) {
      if (missed++ < 120) frame = requestAnimationFrame(draw);
      return;
    }
    missed = 0;
    stale = false;
    if (canvas.dataset.drawn === undefined) performance.measure("object3d first frame", { start: t0 });
    canvas.dataset.drawn = "";
  };
  const request = () => {
    stale = true;
    frame ||= requestAnimationFrame(draw);
  };
  controls.addEventListener("change", request);
  const resized = new ResizeObserver(request);
  resized.observe(canvas);
  // Off screen nothing is drawn; a change made meanwhile (a resize) is drawn when it comes back.
  const seen = new IntersectionObserver(([e]) => {
    visible = e.isIntersecting;
    if (visible && stale) request();
  });
  seen.observe(canvas);

  return {
    categories: cats,
    view: () => ({ position: camera.position.toArray(), target: controls.target.toArray() }),
    dispose: () => {
      cancelAnimationFrame(frame);
      resized.disconnect();
      seen.disconnect();
      controls.dispose();
      disposeTree(scene);
      releaseRenderer();
    },
  };
}
