// The twelve custom chart types end to end: a real server, tables logged through the SDK
// (tests/web_e2e/seed_tables.py), headless Chromium under the dashboard's real CSP. Each type is
// one panel over `chart/data`; each test waits for the chart to draw, checks from its screenshot
// that it drew in colour, and keeps the screenshot. ECharts and echarts-gl must run with no CSP
// refusal, and a mapped column the table lacks must say so in the panel.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { ChartSpec } from "../../src/shaping/chartSpec";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB } from "./harness";
import { chartsUrl, drawn, inkOf, shot, watchCsp } from "./chartHelpers";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (charts12): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

type Case = [ChartSpec["type"], ChartSpec["fields"], Partial<ChartSpec>?];
// Every type over the same 200-row table: a 20 x 10 grid (x, y, z), groups, sizes, countries and a
// DAG of flows (src -> dst, flow).
const CASES: Case[] = [
  ["line", { x: "x", y: "z", group: "group" }],
  ["scatter", { x: "x", y: "z", color: "y", size: "size" }],
  ["bar", { x: "group", y: "flow", group: "country" }],
  ["pie", { x: "country", y: "flow" }],
  ["histogram", { x: "z", group: "group" }],
  ["box", { x: "group", y: "z" }],
  ["heatmap", { x: "group", y: "country", color: "flow" }],
  ["3d", { x: "x", y: "y", z: "z" }, { surface: true }],
  ["geo", { x: "country", y: "z" }],
  ["graph", { x: "src", y: "dst", size: "flow" }],
  ["sankey", { x: "src", y: "dst", size: "flow" }],
  ["parallel", { color: "z" }, { dims: ["x", "y", "z", "group"] }],
];

describe.skipIf(!bin)("custom charts: the twelve types", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let csp: string[] = [];
  let runA = "";
  const table = () => ({ kind: "table" as const, run: runA, key: "chart/data" });

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--sweep", "0", "--light"], "seed_tables.py");
    runA = seeded.runs[0].id;
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1280, height: 900 });
    csp = await watchCsp(page);
    await signIn(page, server, seeded);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [type, fields, extra] of CASES) {
    it(`draws a ${type} chart`, async () => {
      const base = `${server.url}/${seeded.entity}/${seeded.project}`;
      await page.goto(chartsUrl(base, [runA], [{ id: type, title: `${type} chart`, chart: { type, source: table(), fields, ...extra } }]));
      const panel = page.locator(`[data-panel="custom:${type}"]`);
      const ms = await drawn(panel);
      // 3D and the force layout settle over a few frames after the first one.
      if (type === "3d" || type === "graph") await page.waitForTimeout(1500);
      const chart = panel.locator(".echart");
      const { ink, colours, total } = await inkOf(page, chart);
      await shot(panel, `chart-${type}`);
      console.log(`${type}: drawn in ${ms} ms, ${((100 * ink) / total).toFixed(1)}% ink, ${colours} colours`);
      expect(ink / total, "share of the chart that is not background").toBeGreaterThan(type === "graph" ? 0.005 : 0.02);
      expect(colours, "distinct colours").toBeGreaterThan(type === "graph" || type === "box" ? 3 : 8);
      expect(await panel.locator("[data-chart-problem]").count()).toBe(0);
    });
  }

  it("says in the panel when a mapped column does not exist", async () => {
    const base = `${server.url}/${seeded.entity}/${seeded.project}`;
    await page.goto(chartsUrl(base, [runA], [{ id: "bad", title: "bad", chart: { type: "scatter", source: table(), fields: { x: "x", y: "accuracy" } } }]));
    const problem = page.locator('[data-panel="custom:bad"] [data-chart-problem]');
    await problem.waitFor();
    expect(await problem.innerText()).toMatch(/"Y" is mapped to "accuracy", which is not a column of this data\. Its columns are: x, y, z, group/);
    expect(await page.locator('[data-panel="custom:bad"] .echart').count()).toBe(0);
    await shot(page.locator('[data-panel="custom:bad"]'), "chart-missing-field");
  });

  it("ran ECharts and echarts-gl with no CSP refusal and no console error", async () => {
    expect(csp).toEqual([]);
    expect(errors).toEqual([]);
  });
});
