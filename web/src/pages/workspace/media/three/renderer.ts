// One WebGL context for every 3D panel on the page. Browsers keep about 16 live WebGL contexts and
// drop the oldest past that, so a section of 30 point clouds with a context each would go blank.
// Here one renderer draws a panel's scene on demand and the panel keeps the frame in its own 2D
// canvas (drawImage in the same task, before the WebGL buffer is cleared).
import { LinearSRGBColorSpace, WebGLRenderer, type Camera, type Scene } from "three";

export const BACKGROUND = 0x14171c;

let shared: WebGLRenderer | null = null;
let users = 0;
let closing: ReturnType<typeof setTimeout> | undefined;
// A panel moving to the next step lets go of the renderer and takes it again a moment later:
// the context outlives the last user by this long instead of being made anew per step.
const LINGER_MS = 5_000;

/** Takes a share of the page's renderer; every acquire is paired with a release on unmount. */
export function acquireRenderer(): void {
  clearTimeout(closing);
  if (!shared) {
    shared = new WebGLRenderer({ antialias: false, powerPreference: "high-performance" });
    shared.setPixelRatio(1);
    // Logged colours (RGB points, box and class colours) are display values: they pass through as
    // given instead of being treated as linear light and brightened on output.
    shared.outputColorSpace = LinearSRGBColorSpace;
  }
  users++;
}

/** The last panel to let go frees the context and its GPU memory (after LINGER_MS). */
export function releaseRenderer(): void {
  if (--users > 0) return;
  closing = setTimeout(() => {
    shared?.dispose();
    shared?.forceContextLoss();
    shared = null;
  }, LINGER_MS);
}

/** Renders `scene` at `target`'s pixel size and copies the frame into it; false when no frame could be drawn. */
export function drawInto(target: HTMLCanvasElement, scene: Scene, camera: Camera): boolean {
  const ctx = target.getContext("2d");
  if (!shared || !ctx || target.width === 0 || target.height === 0) return false;
  const canvas = shared.domElement;
  if (canvas.width !== target.width || canvas.height !== target.height) shared.setSize(target.width, target.height, false);
  shared.render(scene, camera);
  ctx.drawImage(canvas, 0, 0);
  return true;
}
