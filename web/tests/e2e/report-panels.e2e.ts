// Report panels and text-range comments end to end (issue 21): a real `wanllmdb server` seeded
// through the SDK (tests/web_e2e/seed_report_panels.py), headless Chromium.
// - One report holds a media panel, a logged table, parallel coordinates, two custom charts (a
//   wandb.plot chart the run logged, and a scatter spec over the run set), a side-by-side panel
//   and a run comparison. At the frame the ready flag turns true (what the PDF export waits on),
//   every panel already shows its real content: images decoded, in their logged colours; table
//   rows read; every chart's first frame drawn, with ink; the side-by-side charts all on the union
//   x range. Zooming one side-by-side chart zooms them all; a double click brings the union back.
// - A panel whose config names nothing counts as drawn, saying so.
// - Text selected across runs of a paragraph gets a comment anchored to it; the range is
//   highlighted (CSS Custom Highlight API, and visibly, in pixels), and after a reload too.
// - The editor's add-panel form makes a side-by-side and a media panel that draw and save.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page, Route } from "playwright-core";
import { inkOf, shot } from "./chartHelpers";
import { callApi, findServerCommand, launchChromium, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB_DIST } from "./harness";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (report panels): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

/** The mean colour of an element as drawn (from its screenshot, decoded in the page). */
async function meanColour(page: Page, target: Locator): Promise<[number, number, number]> {
  const png = (await target.screenshot()).toString("base64");
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d")!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k] += d[i + k];
    const n = d.length / 4;
    return sum.map((s) => Math.round(s / n)) as [number, number, number];
  }, png);
}

/** Pixels of an element's screenshot within 24 of `rgb` on every channel. */
async function pixelsNear(page: Page, target: Locator, rgb: [number, number, number]): Promise<number> {
  const png = (await target.screenshot()).toString("base64");
  return page.evaluate(
    async ([b64, [r, g, b]]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) <= 24 && Math.abs(d[i + 1] - g) <= 24 && Math.abs(d[i + 2] - b) <= 24) n++;
      return n;
    },
    [png, rgb] as const,
  );
}

/** Each side-by-side chart's x scale (uPlot's, read through the chart LineChart hangs on its root). */
const sbsScales = (panel: Locator) =>
  panel.locator(".report-sbs .uplot").evaluateAll((els) => els.map((el) => {
    const x = (el as HTMLElement & { uplot: { scales: { x: { min: number; max: number } } } }).uplot.scales.x;
    return [x.min, x.max];
  }));

interface Report {
  id: string;
  spec: { blocks: { type: string; panels?: { type: string; config?: Record<string, unknown> }[] }[] };
}
interface Thread {
  id: string;
  anchor: { block_id: string; from?: number; to?: number; quote?: string };
}

const box = (i: number) => ({ x: (i % 2) * 12, y: Math.floor(i / 2) * 9, w: 12, h: 9 });

describe.skipIf(!bin)("report panels: media, tables, charts, side by side; text-range comments", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  let projectId: string;
  const errors: string[] = [];
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const base = () => `${server.url}/${seeded.entity}/${seeded.project}/reports`;
  const runId = (name: string) => seeded.runs.find((r) => r.name === name)!.id;
  const runSet = () => ({ id: "rs", project: `${seeded.entity}/${seeded.project}` });

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error(`${WEB_DIST} is not built: run \`npm run build\` first`);
    server = await startServer(bin!);
    seeded = seed(bin!, server, [], "seed_report_panels.py");
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1400, height: 1000 });
    await signIn(page, server, seeded);
    projectId = (await callApi<{ id: string }>(page, "GET", `/projects/by-name/${seeded.entity}/${seeded.project}`)).id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("draws every panel's real content by the time the ready flag is set, and zooms side-by-side charts together", async () => {
    const panels = [
      { id: "media", type: "media", title: "Samples", config: { keys: ["samples/img"] } },
      { id: "table", type: "table", title: "Predictions", config: { key: "eval/preds" } },
      { id: "parallel", type: "parallel_coordinates", title: "Hyperparameters", config: { keys: ["lr", "batch_size", "train/loss"] } },
      { id: "preset", type: "custom_chart", title: "Logged curve", config: { preset: "curve" } },
      { id: "spec", type: "custom_chart", title: "Loss by lr", config: { chart: { type: "scatter", source: { kind: "runs" }, fields: { x: "config.lr", y: "summary.train/loss" } } } },
      { id: "sbs", type: "side_by_side", title: "Loss per run", config: { keys: ["train/loss"] } },
      { id: "cmp", type: "run_comparison", title: "Compare", config: {} },
      { id: "cmpdiff", type: "run_comparison", title: "Differences", config: { diff_only: true } },
      { id: "nothing", type: "media", title: "Unnamed", config: {} },
      { id: "line", type: "line", title: "train/loss", config: { metric: "train/loss" } },
    ].map((p, i) => ({ ...p, layout: box(i) }));
    const spec = { version: 1, blocks: [{ id: "grid", type: "panel_grid", run_sets: [runSet()], panels }] };
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "Every panel", spec });
    // Images and table pages arrive late, as over a slow link: the flag must wait for them, not for
    // their <img> elements and empty grids to exist.
    // (Images later than the data: the data's queries alone would hold the flag back.)
    const lateBy = (route: Route) =>
      route.request().resourceType() === "image" ? 3000 : /\/api\/runs\/[^/]+\/table$/.test(new URL(route.request().url()).pathname) ? 1000 : 0;
    await page.route("**/*", async (route) => {
      await new Promise((r) => setTimeout(r, lateBy(route)));
      await route.continue();
    });
    // Not waiting for "load": that waits for the images too, and the flag must be watched from the start.
    await page.goto(`${base()}/${made.id}`, { waitUntil: "commit" });

    // What the page shows in the very frame the ready flag turns true.
    const atReady = await page.waitForFunction(
      () => {
        if (window.__reportReady !== true) return null;
        const at = (id: string) => document.querySelector(`[data-panel="${id}"] .report-panel-body`)!;
        const imgs = [...at("media").querySelectorAll("img")];
        const charts = ["parallel", "preset", "spec"].map((id) => [...at(id).querySelectorAll(".echart")].map((e) => e.hasAttribute("data-drawn")));
        return {
          images: imgs.map((i) => ({ run: i.closest("[data-run]")?.getAttribute("data-run"), decoded: i.complete && i.naturalWidth === 32 })),
          tableRows: at("table").querySelectorAll(".grid-row").length,
          tablePending: at("table").querySelectorAll(".tv-pending, .state-loading").length,
          matched: at("table").querySelector("[data-matched]")?.getAttribute("data-matched") ?? null,
          charts,
          sbsCharts: at("sbs").querySelectorAll(".uplot[data-drawn]").length,
          line: [at("line").querySelector(".metric-panel")?.getAttribute("data-loaded"), at("line").querySelectorAll(".uplot[data-drawn]").length],
          sbsRange: at("sbs").querySelector(".report-sbs")?.getAttribute("data-range") ?? null,
          loading: document.querySelectorAll(".report-panel-body .state-loading").length,
          empty: at("nothing").textContent,
        };
      },
      null,
      { timeout: 60_000, polling: "raf" },
    );
    const ready = (await atReady.jsonValue())!;
    await page.unrouteAll();
    expect(ready.loading).toBe(0);
    expect(ready.images).toEqual(
      expect.arrayContaining([
        { run: runId("run-a"), decoded: true },
        { run: runId("run-b"), decoded: true },
      ]),
    );
    expect(ready.images).toHaveLength(2);
    expect(ready.matched).toBe("12");
    expect(ready.tableRows).toBeGreaterThan(0);
    expect(ready.tablePending).toBe(0);
    expect(ready.charts).toEqual([[true], [true], [true]]);
    expect(ready.sbsCharts).toBe(3);
    // A line panel counts once its chart holds every run's series, never while it says "No data" or Loading.
    expect(ready.line).toEqual(["3", 1]);
    expect(ready.sbsRange).toBe("0,299");
    expect(ready.empty).toContain("Choose the media keys");

    const view = page.getByTestId("report-view");
    await shot(view, "report-panels");
    // Media: each run's latest image, in the colour it logged (run-a: red at step 50, run-b: blue at 100).
    const [ar, ag, ab] = await meanColour(page, view.locator(`[data-panel="media"] .media-images[data-run="${runId("run-a")}"] img`));
    expect(ar).toBeGreaterThan(180);
    expect(Math.max(ag, ab)).toBeLessThan(80);
    const [br, bg, bb] = await meanColour(page, view.locator(`[data-panel="media"] .media-images[data-run="${runId("run-b")}"] img`));
    expect(bb).toBeGreaterThan(180);
    expect(Math.max(br, bg)).toBeLessThan(80);
    // The logged table's rows, as logged.
    expect(await view.locator('[data-panel="table"] .grid-row').first().innerText()).toContain("cat");
    // Charts drew lines and points in colour, not an empty frame.
    for (const id of ["parallel", "preset", "spec"]) {
      const { ink, colours, total } = await inkOf(page, view.locator(`[data-panel="${id}"] .echart`));
      expect(ink / total, `${id}: share of the chart that is not background`).toBeGreaterThan(0.01);
      expect(colours, `${id}: distinct colours`).toBeGreaterThan(3);
    }
    const sbs = view.locator('[data-panel="sbs"]');
    const { ink } = await inkOf(page, sbs.locator(`.report-sbs-cell[data-run="${runId("run-c")}"] canvas`).first());
    expect(ink).toBeGreaterThan(100);
    // Run comparison: the rows that differ between runs are marked, the one they share is not.
    const differs = await view.locator('[data-panel="cmp"] tr.differs td:first-child').allInnerTexts();
    expect(differs).toEqual(expect.arrayContaining(["config.lr", "config.batch_size", "summary.train/loss"]));
    const fields = await view.locator('[data-panel="cmp"] tbody td:first-child').allInnerTexts();
    expect(await view.locator('[data-panel="cmp"] tr:not(.differs) td:first-child').allInnerTexts()).toContain("config.optimizer.name");
    expect(fields.filter((f) => /^(config|summary)\._/.test(f)), "the SDK's own fields (config._wandb, summary._step)").toEqual([]);
    // diff_only (the Python API's RunComparer): only the differing rows.
    const onlyDiffering = await view.locator('[data-panel="cmpdiff"] tbody td:first-child').allInnerTexts();
    expect(onlyDiffering).toEqual(expect.arrayContaining(["config.lr", "summary.train/loss"]));
    expect(onlyDiffering).not.toContain("config.optimizer.name");
    expect(onlyDiffering.length).toBeLessThan(fields.length);

    // Every side-by-side chart is on the union of the runs' steps, though each run spans less.
    for (const [min, max] of await sbsScales(sbs)) expect([min, max]).toEqual([0, 299]);
    // Dragging a range on one chart zooms every chart to it.
    const over = sbs.locator(".report-sbs-cell").first().locator(".u-over");
    const b = (await over.boundingBox())!;
    await page.mouse.move(b.x + b.width * 0.25, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height / 2, { steps: 8 });
    await page.mouse.up();
    await sbs.locator('.report-sbs[data-zoomed="1"]').waitFor();
    await page.waitForFunction(() => {
      const els = [...document.querySelectorAll('[data-panel="sbs"] .uplot')] as (HTMLElement & { uplot: { scales: { x: { min: number; max: number } } } })[];
      return els.length === 3 && els.every((e) => e.uplot.scales.x.max < 200 && e.uplot.scales.x.min > 20);
    });
    const zoomed = await sbsScales(sbs);
    expect(new Set(zoomed.map((r) => r.join())).size).toBe(1);
    const [zmin, zmax] = zoomed[0];
    expect(zmin).toBeGreaterThan(50);
    expect(zmax).toBeLessThan(170);
    // A double click on any chart brings them all back to the union.
    await sbs.locator(".report-sbs-cell").nth(2).locator(".u-over").dblclick();
    await sbs.locator('.report-sbs[data-zoomed="0"]').waitFor();
    for (const [min, max] of await sbsScales(sbs)) expect([min, max]).toEqual([0, 299]);
    noErrors();
  });

  it("comments on a selected text range, highlights it, and keeps the highlight after a reload", async () => {
    const spec = {
      version: 1,
      blocks: [
        { id: "h", type: "heading", level: 1, text: [{ text: "Findings" }] },
        { id: "p1", type: "paragraph", text: [{ text: "Loss fell by " }, { text: "12%", marks: ["bold"] }, { text: " after warmup." }] },
      ],
    };
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "Commented", spec });
    await page.goto(`${base()}/${made.id}`);
    const para = page.locator('[data-block-id="p1"] p');
    await para.waitFor();
    const yellow: [number, number, number] = [255, 229, 138];
    expect(await pixelsNear(page, para, yellow)).toBe(0);

    // Select "by 12% after": from inside the first text run, across the bold one, into the last.
    await page.evaluate(() => {
      const p = document.querySelector('[data-block-id="p1"] p')!;
      const [first, , last] = [p.childNodes[0], p.childNodes[1], p.childNodes[2]] as Text[];
      const r = document.createRange();
      r.setStart(first, first.data.indexOf("by"));
      r.setEnd(last, " after".length);
      const sel = getSelection()!;
      sel.removeAllRanges();
      sel.addRange(r);
    });
    await para.dispatchEvent("mouseup");
    await page.getByRole("button", { name: "💬 Comment" }).click();
    await page.getByTestId("new-comment-quote").getByText("“by 12% after”").waitFor();
    await page.getByLabel("New comment").fill("Only after warmup?");
    await page.getByRole("button", { name: "Comment on selection" }).click();
    const thread = page.locator('.report-thread[data-anchor="p1"][data-range]');
    await thread.getByText("Only after warmup?").waitFor();

    const threads = (await callApi<{ threads: Thread[] }>(page, "GET", `/reports/${made.id}/comments`)).threads;
    expect(threads.map((t) => t.anchor)).toEqual([{ block_id: "p1", from: 10, to: 22, quote: "by 12% after" }]);

    const highlighted = () =>
      page.waitForFunction(
        (name) => {
          const h = CSS.highlights.get(name);
          return h && [...h].map((r) => (r as Range).toString()).join("|") === "by 12% after";
        },
        "report-comment",
        { timeout: 10_000 },
      );
    await highlighted();
    await page.evaluate(() => getSelection()!.removeAllRanges());
    expect(await pixelsNear(page, para, yellow)).toBeGreaterThan(100);

    await page.reload();
    await para.waitFor();
    await highlighted();
    // Showing the thread marks its range as the one being looked at.
    await page.locator(".report-thread-anchor", { hasText: "by 12% after" }).click();
    await page.waitForFunction(() => [...(CSS.highlights.get("report-comment-active") ?? [])].map((r) => (r as Range).toString()).join() === "by 12% after");
    expect(await pixelsNear(page, para, [255, 197, 61])).toBeGreaterThan(100);
    await shot(page.locator(".report-layout"), "report-comment-range");
    noErrors();
  });

  it("adds a side-by-side and a media panel from the editor's form; both draw and save", async () => {
    const spec = { version: 1, blocks: [{ id: "grid", type: "panel_grid", run_sets: [runSet()], panels: [] }] };
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "Built in the editor", spec });
    await page.goto(`${base()}/${made.id}/edit`);
    const grid = page.locator(".report-doc-edit .report-grid");
    await grid.waitFor();
    await grid.getByText("Run sets and panels").click();
    await grid.getByLabel("Panel type").selectOption("side_by_side");
    await grid.getByLabel("Panel field: Metrics").fill("train/loss");
    await grid.getByLabel("Panel field: Run ids").fill(`${runId("run-c")}, ${runId("run-a")}`);
    await grid.getByRole("button", { name: "Add panel" }).click();
    await grid.locator('[data-panel-type="side_by_side"] .uplot[data-drawn]').nth(1).waitFor({ timeout: 20_000 });
    expect(await grid.locator('[data-panel-type="side_by_side"] .report-sbs-cell').evaluateAll((els) => els.map((e) => e.getAttribute("data-run")))).toEqual([
      runId("run-c"),
      runId("run-a"),
    ]);
    await grid.getByLabel("Panel type").selectOption("media");
    await grid.getByLabel("Panel field: Media keys").fill("samples/img");
    await grid.getByRole("button", { name: "Add panel" }).click();
    await grid.locator('[data-panel-type="media"] img').nth(1).waitFor({ timeout: 20_000 });

    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/reports/${made.id}`);
    await page.getByTestId("report-save").click();
    expect((await saved).status()).toBe(200);
    const stored = await callApi<Report>(page, "GET", `/reports/${made.id}`);
    const kept = stored.spec.blocks.find((b) => b.type === "panel_grid")!.panels!.map((p) => [p.type, p.config]);
    expect(kept).toEqual([
      ["side_by_side", { keys: ["train/loss"], runs: [runId("run-c"), runId("run-a")] }],
      ["media", { keys: ["samples/img"] }],
    ]);
    noErrors();
  });
});
