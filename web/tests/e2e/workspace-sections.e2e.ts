// A 50-panel workspace asks for its data one section at a time: one batch request per section on
// screen (GET /projects/{id}/metrics/batch, Arrow), nothing for sections below the fold or
// collapsed, the next section when it is scrolled to, and a zoomed panel its own narrower read.
// Requests are counted from the browser's side (page.on("request")).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Request } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB_DIST } from "./harness";
import { defaultView, encodeView } from "../../src/shaping/view";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WORKSPACE SECTIONS E2E SKIPPED: no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

const RUNS = 3;
const SECTIONS = ["s0", "s1", "s2", "s3", "s4"];

interface Asked {
  runs: string[];
  keys: string[];
  accept: string;
}

describe.skipIf(!bin)("workspace sections fetch their data only on screen", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let batches: Asked[] = [];
  let perRun: string[] = [];

  const sectionsAsked = () => [...new Set(batches.flatMap((b) => b.keys.map((k) => k.split("/")[0])))].sort();
  const panelsLoaded = (section: string) =>
    page.locator(`[data-section="${section}"] .metric-panel`).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-loaded"))));
  const open = async (view = defaultView()) => {
    batches = [];
    perRun = [];
    const runs = seeded.runs.map((r) => r.id);
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?view=${encodeView({ ...view, runs })}`);
    await page.locator('[data-section="s0"] .metric-panel').first().waitFor();
    await expect.poll(() => panelsLoaded("s0"), { timeout: 60_000 }).toEqual(Array(10).fill(RUNS));
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error(`${WEB_DIST} is not built: run \`npm run build\` first`);
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--runs", String(RUNS), "--steps", "300", "--metrics", "50", "--username", "sections"]);
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
    page.on("request", (r: Request) => {
      const url = new URL(r.url());
      if (url.pathname.endsWith("/metrics/batch")) {
        const runs = url.searchParams.getAll("runs").flatMap((v) => v.split(","));
        batches.push({ runs, keys: url.searchParams.getAll("keys"), accept: r.headers()["accept"] ?? "" });
      } else if (/\/api\/runs\/[^/]+\/metrics$/.test(url.pathname)) perRun.push(url.search);
    });
    await signIn(page, server, seeded);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("draws the first section from one request, and asks nothing for the sections below it", async () => {
    await open();
    // The sections below are headers over an empty box until they are scrolled to.
    expect(await page.locator("[data-section]").count()).toBe(5);
    expect(await page.locator(".metric-panel").count()).toBe(10);
    expect(batches).toHaveLength(1);
    expect(batches[0].keys).toEqual(Array.from({ length: 10 }, (_, i) => `s0/metric${i}`));
    expect(batches[0].runs.sort()).toEqual(seeded.runs.map((r) => r.id).sort());
    expect(batches[0].accept).toBe("application/vnd.apache.arrow.stream");
    expect(perRun).toEqual([]);
    // A moment later, still nothing more: the other sections are off screen.
    await page.waitForTimeout(1500);
    expect(sectionsAsked()).toEqual(["s0"]);
    for (const s of SECTIONS.slice(1)) {
      expect(await page.locator(`[data-section="${s}"] .metric-panel`).count()).toBe(0);
      expect(await page.locator(`[data-section="${s}"]`).locator("xpath=..").getAttribute("data-section-fetch")).toBe("off");
    }
    expect(errors).toEqual([]);
  });

  it("fetches the next section when it is scrolled to", async () => {
    await page.locator('[data-section="s1"]').scrollIntoViewIfNeeded();
    await expect.poll(() => panelsLoaded("s1"), { timeout: 60_000 }).toEqual(Array(10).fill(RUNS));
    expect(batches.filter((b) => b.keys[0].startsWith("s1/"))).toHaveLength(1);
    expect(sectionsAsked()).not.toContain("s4");
    expect(perRun).toEqual([]);
  });

  it("asks nothing for a collapsed section, even on screen, and does not make the next one wait", async () => {
    batches = [];
    const runs = seeded.runs.map((r) => r.id);
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?view=${encodeView({ ...defaultView(), runs, collapsed: ["s0", "s4"] })}`);
    // s0 is collapsed at the top: s1, below it on screen, is the first to load.
    await expect.poll(() => panelsLoaded("s1"), { timeout: 60_000 }).toEqual(Array(10).fill(RUNS));
    expect(sectionsAsked()).toEqual(["s1"]);
    await page.locator(".ws-main").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => panelsLoaded("s3"), { timeout: 60_000 }).toEqual(Array(10).fill(RUNS));
    await page.waitForTimeout(1000);
    expect(await page.locator('[data-section="s4"] .ws-section-head').isVisible()).toBe(true);
    expect(sectionsAsked()).toContain("s3");
    expect(sectionsAsked()).not.toContain("s4");
    // Opening it fetches it.
    await page.locator('[data-section="s4"] .ws-section-head').click();
    await expect.poll(() => panelsLoaded("s4"), { timeout: 60_000 }).toEqual(Array(10).fill(RUNS));
    expect(sectionsAsked()).toContain("s4");
  });

  it("keeps the per-panel zoom: a dragged range is read again at full resolution", async () => {
    await open();
    const panel = page.locator('[data-panel="line:s0/metric0"]');
    const over = panel.locator(".u-over");
    // The chart may still be (re)mounting as its section's answer lands: wait until it has a box.
    await over.waitFor({ state: "visible", timeout: 60_000 });
    await expect.poll(async () => (await over.boundingBox())?.width ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    const box = (await over.boundingBox())!;
    const zoomRead = page.waitForRequest((r) => r.url().includes("/metrics") && r.url().includes("min=") && r.url().includes("max="));
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await zoomRead;
    await expect.poll(() => panel.locator(".metric-panel").getAttribute("data-zoomed")).toBe("1");
    expect(errors).toEqual([]);
  });
});
