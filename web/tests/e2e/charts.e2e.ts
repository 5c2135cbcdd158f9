// Charts show what a person needs to see: a one-step spike over 100k steps, a metric logged once,
// a few points, a short run on wall time, a define_metric step axis. Pixels are read from the
// canvas, so a spike the chart averages away or a point drawn nowhere fails the test.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { findServerCommand, launchChromium, REPO, seed, type Seeded, type Server, SHOTS, signIn, startServer, watchedPage, WEB } from "./harness";

const bin = findServerCommand();
if (!bin) console.warn("\n!! CHARTS E2E SKIPPED: no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

type ChartSeed = Seeded & { spike: { step: number; value: number; steps: number } };

/** $SHOTS_TO_DOCS=<suffix> also copies the screenshots to docs/screenshots/<name>-<suffix>.png. */
const DOCS_SUFFIX = process.env.SHOTS_TO_DOCS;

/**
 * In the panel's plot canvas, the topmost pixel (canvas px) that is not background, grid or axis
 * grey within the columns of x values [x0, x1]; null when nothing coloured is drawn there.
 */
async function topColouredPixel(panel: Locator, x0: number, x1: number): Promise<number | null> {
  return panel.locator(".uplot").evaluate(
    (root, [x0, x1]) => {
      const u = (root as unknown as { uplot: { valToPos: (v: number, s: string, c?: boolean) => number; bbox: { top: number; height: number }; ctx: CanvasRenderingContext2D } }).uplot;
      const xa = u.valToPos(x0, "x", true);
      const xb = u.valToPos(x1, "x", true);
      const a = Math.floor(Math.min(xa, xb)) - 1;
      const w = Math.ceil(Math.max(xa, xb)) + 1 - a + 1;
      const img = u.ctx.getImageData(a, u.bbox.top, w, u.bbox.height).data;
      for (let y = 0; y < u.bbox.height; y++) {
        for (let x = 0; x < w; x++) {
          const i = (y * w + x) * 4;
          const chroma = Math.max(img[i], img[i + 1], img[i + 2]) - Math.min(img[i], img[i + 1], img[i + 2]);
          if (img[i + 3] > 80 && chroma > 60) return y + u.bbox.top;
        }
      }
      return null;
    },
    [x0, x1],
  );
}

/** Canvas y (px) of value v on the panel's y scale. */
const yPos = (panel: Locator, v: number) =>
  panel.locator(".uplot").evaluate((root, v) => (root as unknown as { uplot: { valToPos: (v: number, s: string, c?: boolean) => number } }).uplot.valToPos(v, "y", true), v);

const xScale = (panel: Locator) =>
  panel.locator(".uplot").evaluate((root) => {
    const s = (root as unknown as { uplot: { scales: { x: { min: number; max: number } } } }).uplot.scales.x;
    return { min: s.min, max: s.max };
  });

describe.skipIf(!bin)("charts show the data", () => {
  let server: Server;
  let seeded: ChartSeed;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = async (target: Page | Locator, name: string) => {
    const path = join(SHOTS, `${name}.png`);
    await target.screenshot({ path });
    if (DOCS_SUFFIX) copyFileSync(path, join(REPO, "docs", "screenshots", `${name}-${DOCS_SUFFIX}.png`));
  };
  const panel = (key: string) => page.locator(`[data-panel="line:${key}"]`);
  const workspace = async (runs: string[], view?: Record<string, unknown>) => {
    const q = new URLSearchParams({ runs: runs.join(",") });
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?${q}`);
    if (view) {
      for (const [k, v] of Object.entries(view)) if (k === "x") await page.getByLabel("X axis").selectOption(String(v));
    }
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(SHOTS, { recursive: true });
    if (DOCS_SUFFIX) mkdirSync(join(REPO, "docs", "screenshots"), { recursive: true });
    server = await startServer(bin!);
    seeded = seed(bin!, server, [], "seed_charts.py") as ChartSeed;
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1280, height: 900 });
    await signIn(page, server, seeded);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const [spikeRun, onceRun] = [0, 1];

  it("draws a one-step spike over 100k steps up to its value, whole run and zoomed", async () => {
    const { step, value } = seeded.spike;
    await workspace([seeded.runs[spikeRun].id]);
    const p = panel("signal");
    await p.locator(".uplot[data-drawn]").waitFor();
    await page.waitForTimeout(300);
    await shot(p, "chart-spike");
    const wide = await topColouredPixel(p, step - 600, step + 600);
    expect(wide, "nothing coloured drawn in the spike's columns").not.toBeNull();
    expect(Math.abs(wide! - (await yPos(p, value)))).toBeLessThanOrEqual(4);

    // Zoom to the 10k steps around it: the detail is fetched and the spike still reaches its value.
    const over = p.locator(".u-over");
    const box = (await over.boundingBox())!;
    const { min, max } = await xScale(p);
    const px = (v: number) => box.x + ((v - min) / (max - min)) * box.width;
    await page.mouse.move(px(step - 5000), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(px(step + 5000), box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => p.locator(".metric-panel").getAttribute("data-zoomed")).toBe("1");
    await page.waitForTimeout(800);
    await shot(p, "chart-spike-zoomed");
    const near = await topColouredPixel(p, step - 50, step + 50);
    expect(near).not.toBeNull();
    expect(Math.abs(near! - (await yPos(p, value)))).toBeLessThanOrEqual(4);
  });

  it("offers a max / min / mean line per panel, kept in the view", async () => {
    const p = panel("signal");
    await p.getByLabel("Line").selectOption("max");
    await expect.poll(() => p.locator(".metric-panel").getAttribute("data-line")).toBe("max");
    await page.reload();
    await panel("signal").locator(".uplot[data-drawn]").waitFor();
    expect(await panel("signal").getByLabel("Line").inputValue()).toBe("max");
    await panel("signal").getByLabel("Line").selectOption("mean");
  });

  it("shows a metric logged once as a value, and a few points as markers", async () => {
    await workspace([seeded.runs[onceRun].id, seeded.runs[spikeRun].id]);
    const score = panel("score");
    await score.locator(".metric-panel").waitFor();
    await page.waitForTimeout(500);
    await shot(score, "chart-single-value");
    await score.locator(".value-panel").waitFor();
    expect(await score.locator(".value-panel").innerText()).toContain("0.87");

    const few = panel("few");
    await few.locator(".uplot[data-drawn]").waitFor();
    await page.waitForTimeout(300);
    await shot(few, "chart-few-points");
    const first = await topColouredPixel(few, -0.5, 0.5);
    expect(first, "the first of three points is drawn").not.toBeNull();
  });

  it("lists in the legend only the runs that logged the key", async () => {
    const few = panel("few");
    expect(await few.locator(".legend-item").allInnerTexts()).toEqual(["once"]);
    expect(errors).toEqual([]);
  });

  it("plots a key with a step_metric against it by default", async () => {
    // A section loads when it is scrolled to.
    await page.locator('[data-section="val"]').scrollIntoViewIfNeeded();
    const p = panel("val/loss");
    await p.locator(".uplot[data-drawn]").waitFor();
    expect(await p.locator(".metric-panel").getAttribute("data-x")).toBe("metric:epoch");
    const { min, max } = await xScale(p);
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(4);
  });

  it("keeps a short run on a wall-time axis within its own seconds, and offers relative time", async () => {
    await workspace([seeded.runs[onceRun].id], { x: "ts" });
    const p = panel("few");
    await p.locator(".uplot[data-drawn]").waitFor();
    await page.waitForTimeout(300);
    await shot(p, "chart-wall-time-short-run");
    const { min, max } = await xScale(p);
    expect(max - min, "a run of seconds spans seconds, not years").toBeLessThan(3600);
    await page.getByLabel("X axis").selectOption("relative");
    await p.locator(".uplot[data-drawn]").waitFor();
    const rel = await xScale(p);
    expect(rel.min).toBeLessThanOrEqual(0);
    expect(rel.max).toBeLessThan(3600);
    expect(errors).toEqual([]);
  });
});
