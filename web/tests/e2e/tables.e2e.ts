// Logged tables, wandb.plot presets and charts over runs, end to end: a real server, tables logged
// through the SDK and sweeps of runs made over the API (tests/web_e2e/seed_tables.py), headless
// Chromium under the dashboard's CSP. The table viewer pages a 1M-row table under 1 s a page and
// sorts, filters, groups, shows image cells and compares two runs side by side and joined; the
// confusion-matrix preset draws; brushing a parallel-coordinates axis filters the workspace's
// runs; and the render times of 100k scatter points, a 10k-row table and 10,000 runs are printed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB } from "./harness";
import { chartsUrl, drawn, inkOf, shot, watchCsp } from "./chartHelpers";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (tables): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

interface TableSeed extends Seeded {
  sweep: { id: string; name: string; config: { lr: number } }[];
  big_sweep_project: string | null;
}

describe.skipIf(!bin)("tables, presets and charts over runs against a real local server", () => {
  let server: Server;
  let seeded: TableSeed;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let csp: string[] = [];
  let A = "";
  let B = "";
  const base = () => `${server.url}/${seeded.entity}/${seeded.project}`;
  const cell = (row: number, col: number, grid = page.locator(".tv-grid").first()) => grid.locator(`.grid-row[data-row="${row}"] [role=cell]`).nth(col);
  /** Waits until row `row`'s first cell reads `text`, and returns how long that took from `t0`. */
  const rowAfter = async (t0: number, row: number, text: string) => {
    await page.waitForFunction(([r, t]) => document.querySelector(`.grid-row[data-row="${r}"] [role=cell]`)?.textContent === t, [row, text] as const, { timeout: 10_000 });
    return Date.now() - t0;
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--big-sweep", "10000"], "seed_tables.py") as TableSeed;
    [A, B] = seeded.runs.map((r) => r.id);
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 1000 });
    csp = await watchCsp(page);
    await signIn(page, server, seeded);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("pages a 1,000,000-row table from the server (each page's time logged)", async () => {
    await page.goto(`${base()}/runs/${A}/tables/eval/big`);
    await page.locator('[data-matched="1000000"]').waitFor();
    expect(await cell(0, 0).innerText()).toBe("0");
    const scroller = page.locator(".tv-scroller");
    let t0 = Date.now();
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const toEnd = await rowAfter(t0, 9999, "9999");
    t0 = Date.now();
    await page.getByRole("button", { name: "Last rows" }).click();
    const toLast = await rowAfter(t0, 990000, "990000");
    t0 = Date.now();
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const lastRow = await rowAfter(t0, 999999, "999999");
    // Sorting 1M rows (descending x) happens on the server for every page.
    await page.getByRole("button", { name: "Previous rows" }).waitFor();
    t0 = Date.now();
    await page.getByRole("columnheader", { name: "x", exact: true }).click();
    await page.locator('[role=columnheader][aria-sort="ascending"]').waitFor();
    await page.waitForFunction(() => document.querySelector('.grid-row[data-row="0"] [role=cell]')?.textContent !== "0", undefined, { timeout: 10_000 });
    const sorted = Date.now() - t0;
    console.log(`1M-row table: row 10,000 after ${toEnd} ms, rows 990,001.. after ${toLast} ms, the last row after ${lastRow} ms, sorted by x after ${sorted} ms`);
    const x0 = Number(await cell(0, 1).innerText());
    const x1 = Number(await cell(1, 1).innerText());
    expect(x0).toBeLessThanOrEqual(x1);
    await shot(page, "table-1m-rows");
  });

  it("sorts by a header click, filters, groups and shows image cells, all on the server", async () => {
    await page.goto(`${base()}/runs/${A}/tables/eval/preds`);
    await page.locator('[data-matched="300"]').waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.grid-row[data-row="0"] img.tv-thumb');
      return !!img && img.complete && img.naturalWidth === 8;
    });
    expect(await page.locator('.grid-row[data-row="1"] img').count(), "row 1 logged no image").toBe(0);
    await shot(page, "table-viewer");

    const scores = async () => Promise.all([0, 1, 2, 3, 4].map(async (r) => Number(await cell(r, 2).innerText())));
    const score = page.locator('[role=columnheader]:has-text("score")');
    await score.click();
    await page.locator('[role=columnheader][aria-sort="ascending"]:has-text("score")').waitFor();
    await page.waitForFunction(() => document.querySelector('.grid-row[data-row="0"] [role=cell]:nth-child(4)')?.textContent !== "0.1344");
    const up = await scores();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await score.click();
    await page.locator('[role=columnheader][aria-sort="descending"]:has-text("score")').waitFor();
    await page.waitForFunction((low) => Number(document.querySelector('.grid-row[data-row="0"] [role=cell]:nth-child(4)')?.textContent) > low, up[4]);
    const down = await scores();
    expect(down).toEqual([...down].sort((a, b) => b - a));

    // The runs table's filter bar, applied by the server in the same language.
    await page.getByRole("button", { name: "+ Filter" }).click();
    await page.locator('select[aria-label="Filter field"]').selectOption("label");
    await page.locator('input[aria-label="Filter value"]').fill("dog");
    await page.locator('[data-matched="100"]').waitFor();
    expect(await page.locator(".tv-status").innerText()).toMatch(/100 rows of 300/);
    for (const r of [0, 1, 2]) expect(await cell(r, 1).innerText()).toBe("dog");
    await page.getByRole("button", { name: "Remove filter" }).click();
    await page.locator('[data-matched="300"]').waitFor();

    await page.locator('select[aria-label="Group by column"]').selectOption("label");
    await page.locator('[data-matched="3"]').waitFor();
    const heads = await page.locator("[role=columnheader]").allInnerTexts();
    expect(heads).toEqual(["label", "count", "mean(id)", "mean(score)"]);
    expect(await cell(0, 1).innerText()).toBe("100");
  });

  it("compares two runs' tables side by side and joined on a column", async () => {
    await page.goto(`${base()}/runs/${A}/tables/eval/preds?runs=${B}`);
    await page.locator('.tv-grid [data-matched="300"]').nth(1).waitFor();
    expect(await page.locator(".tv-grid-title").allInnerTexts()).toEqual(["eval-a", "eval-b"]);
    await page.locator('select[aria-label="Compare runs"]').selectOption("join");
    expect(await page.locator('select[aria-label="Join column"]').inputValue()).toBe("id");
    await page.locator('.tv-grid[data-source="join"] [data-matched="300"]').waitFor();
    const heads = await page.locator("[role=columnheader]").allInnerTexts();
    expect(heads).toEqual(["id", "eval-a/label", "eval-a/score", "eval-a/correct", "eval-a/image", "eval-b/label", "eval-b/score", "eval-b/correct", "eval-b/image"]);
    await page.locator('[role=columnheader]:has-text("eval-b/score")').click();
    await page.locator('[role=columnheader][aria-sort="ascending"]:has-text("eval-b/score")').waitFor();
    await shot(page, "table-join");

    // In the workspace the same key is one panel over both runs.
    await page.goto(`${base()}/workspace?runs=${A},${B}`);
    const panel = page.locator('[data-panel="media:eval/preds"]');
    await panel.scrollIntoViewIfNeeded();
    await panel.locator('.tv-grid [data-matched="300"]').nth(1).waitFor();
    expect(await panel.locator(".tv-grid").count()).toBe(2);
  });

  it("draws each wandb.plot preset, the confusion matrix as a heatmap of counts", async () => {
    await page.goto(`${base()}/workspace?runs=${A}`);
    const section = page.locator('[data-section="custom-charts"]');
    await section.waitFor();
    const presets = await section.locator("[data-preset]").evaluateAll((els) => els.map((e) => e.getAttribute("data-preset")));
    expect(new Set(presets)).toEqual(
      new Set(["wandb/confusion_matrix/v1", "wandb/bar/v0", "wandb/line/v0", "wandb/area-under-curve/v0", "wandb/histogram/v0", "wandb/lineseries/v0", "wandb/scatter/v0"]),
    );
    const cm = section.locator('[data-panel="preset:conf_mat"]');
    await cm.scrollIntoViewIfNeeded();
    await drawn(cm);
    expect(await cm.locator(".chart-view").getAttribute("data-chart-type")).toBe("heatmap");
    expect(await cm.locator(".chart-view").getAttribute("data-rows")).toBe("9");
    expect(await cm.locator(".panel-title").innerText()).toBe("Confusion Matrix Curve");
    const { ink, colours, total } = await inkOf(page, cm.locator(".echart"));
    expect(ink / total).toBeGreaterThan(0.1);
    expect(colours).toBeGreaterThan(8);
    await shot(cm, "preset-confusion-matrix");
    for (const key of ["roc", "pr", "curve", "series"]) {
      const p = section.locator(`[data-panel="preset:${key}"]`);
      await p.scrollIntoViewIfNeeded();
      await drawn(p);
    }
    await shot(section, "preset-charts");
  });

  it("filters the workspace's runs by brushing a parallel-coordinates axis", async () => {
    const runs = seeded.sweep.map((r) => r.id);
    const chart = { type: "parallel" as const, source: { kind: "runs" as const }, fields: { color: "summary.acc" }, dims: ["config.lr", "config.layers", "summary.acc"], brush: true };
    await page.goto(chartsUrl(`${server.url}/${seeded.entity}/sweep-e2e`, runs, [{ id: "pc", title: "Runs: parallel coordinates", chart }]));
    const panel = page.locator('[data-panel="custom:pc"]');
    await drawn(panel);
    expect(await page.locator("button.eye[data-run-id]").count()).toBe(12);
    // The lr axis is the chart's left edge plus the grid's 48 px; its top is 36 px down. Brushing
    // its top quarter keeps lr = 0.1 only: runs 0, 5 and 10.
    const box = (await panel.locator(".echart").boundingBox())!;
    const axisX = box.x + 48;
    await page.mouse.move(axisX, box.y + 30);
    await page.mouse.down();
    await page.mouse.move(axisX, box.y + 36 + (box.height - 64) * 0.25, { steps: 8 });
    await page.mouse.up();
    const chip = page.locator(".brush-chip");
    await chip.waitFor();
    expect(await chip.innerText()).toMatch(/config\.lr .*\(3 of 12 runs\)/);
    const shown = await page.locator("button.eye[data-run-id]").evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")));
    const lr01 = seeded.sweep.filter((r) => r.config.lr === 0.1).map((r) => r.id);
    expect(new Set(shown)).toEqual(new Set(lr01));
    await shot(page, "parallel-brush");
    // The brush is part of the view: a reload keeps it.
    await page.reload();
    await page.locator(".brush-chip").waitFor();
    await page.waitForFunction(() => document.querySelectorAll("button.eye[data-run-id]").length === 3);
    await page.getByRole("button", { name: "Clear brush" }).click();
    await page.waitForFunction(() => document.querySelectorAll("button.eye[data-run-id]").length === 12);
  });

  it("draws parallel coordinates over 10,000 runs (time logged)", async () => {
    const chart = { type: "parallel" as const, source: { kind: "runs" as const }, fields: { color: "config.dropout" }, dims: ["config.lr", "config.layers", "config.dropout", "config.optimizer"], brush: true };
    const t0 = Date.now();
    await page.goto(chartsUrl(`${server.url}/${seeded.entity}/${seeded.big_sweep_project}`, ["s000000", "s000001"], [{ id: "big", title: "10k runs", chart }]));
    const panel = page.locator('[data-panel="custom:big"]');
    const render = await drawn(panel);
    const total = Date.now() - t0;
    const build = Number(await panel.locator(".chart-view").getAttribute("data-build-ms"));
    expect(await panel.locator(".chart-view").getAttribute("data-rows")).toBe("10000");
    console.log(`parallel coordinates, 10,000 runs: option ${build} ms + render ${render} ms; navigation to drawn (one SQL request for the runs) ${total} ms`);
    await shot(panel, "parallel-10k-runs");
  });

  it("renders 100,000 scatter points and a 10,000-row parallel chart (times logged)", async () => {
    const scatter = { type: "scatter" as const, source: { kind: "table" as const, run: A, key: "chart/points" }, fields: { x: "px", y: "py", group: "pg" } };
    const parallel = { type: "parallel" as const, source: { kind: "table" as const, run: A, key: "chart/parallel" }, fields: { color: "e" }, dims: ["a", "b", "c", "d", "e"] };
    for (const [id, chart] of [
      ["scatter100k", scatter],
      ["parallel10k", parallel],
    ] as const) {
      const t0 = Date.now();
      await page.goto(chartsUrl(base(), [A], [{ id, title: id, chart }]));
      const panel = page.locator(`[data-panel="custom:${id}"]`);
      const render = await drawn(panel, 120_000);
      const total = Date.now() - t0;
      const build = Number(await panel.locator(".chart-view").getAttribute("data-build-ms"));
      const rows = await panel.locator(".chart-view").getAttribute("data-rows");
      console.log(`${id}: ${rows} rows, option ${build} ms + render ${render} ms (navigation to drawn, paging the rows in 1,000s: ${total} ms)`);
      await shot(panel, `chart-${id}`);
    }
  });

  it("ran with no CSP refusal and no console error", () => {
    expect(csp).toEqual([]);
    expect(errors).toEqual([]);
  });
});
