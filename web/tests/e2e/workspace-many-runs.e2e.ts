// A workspace with 250 runs selected draws the first N (the runs table's order) as lines and the
// other runs as one grey min–max band per chart, computed on the server: a handful of requests in
// all (one for the keys of every run, per section one for the lines and one for the band), never
// one per run, not even for the 50 runs past the 200 the run list holds. The band keeps one run's
// spike. The "Lines" control moves runs between the two; "Show all" selects runs the list lacks.
// Requests are counted from the browser's side (page.on("request")).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Request } from "playwright-core";
import { callApi, findServerCommand, launchChromium, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB_DIST } from "./harness";
import { defaultView, encodeView } from "../../src/shaping/view";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WORKSPACE MANY-RUNS E2E SKIPPED: no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

const RUNS = 250;
const SPIKE_RUN = 150;
const SPIKE = 50;

interface Asked {
  method: string;
  path: string;
  body: { runs?: string[]; band?: string[]; keys?: string[] } | null;
}

describe.skipIf(!bin)("a workspace of 250 selected runs draws N lines and one band", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  let tableOrder: string[] = [];
  const errors: string[] = [];
  let asked: Asked[] = [];

  const panel = (key: string) => page.locator(`[data-panel="line:${key}"] .metric-panel`);
  const drawn = async (key: string) => ({ lines: Number(await panel(key).getAttribute("data-loaded")), band: Number(await panel(key).getAttribute("data-band")) });
  const open = async (lines: number) => {
    asked = [];
    const view = { ...defaultView(), runs: seeded.runs.map((r) => r.id), lines };
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?view=${encodeView(view)}`);
    await panel("train/loss").waitFor({ timeout: 60_000 });
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error(`${WEB_DIST} is not built: run \`npm run build\` first`);
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--runs", String(RUNS), "--steps", "400", "--spike-run", String(SPIKE_RUN), "--spike", String(SPIKE)], "seed_many.py");
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
    // Through a route, not page.on("request"): the app's POST bodies are streams (fetch of a
    // Request), which the request event does not carry; an intercepted request does.
    await page.route("**/api/**", async (route) => {
      const r: Request = route.request();
      const url = new URL(r.url());
      const body = r.postData() ? (JSON.parse(r.postData()!) as Asked["body"]) : null;
      asked.push({ method: r.method(), path: url.pathname + (r.method() === "GET" ? url.search : ""), body });
      await route.continue();
    });
    await signIn(page, server, seeded);
    const list = await callApi<{ items: { id: string }[] }>(page, "GET", `/projects/${seeded.entity}:${seeded.project}/runs?order=-created_at&per_page=200`);
    tableOrder = list.items.map((r) => r.id);
    expect(tableOrder).toHaveLength(200); // the first page: what the workspace's run list holds
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("draws the first 10 runs as lines and the other 240 as one band, from a few requests", async () => {
    await open(10);
    await expect.poll(() => drawn("train/loss"), { timeout: 60_000 }).toEqual({ lines: 10, band: 240 });
    await expect.poll(() => drawn("train/acc"), { timeout: 60_000 }).toEqual({ lines: 10, band: 240 });
    const legend = page.locator('[data-panel="line:train/loss"] .legend-item');
    await expect.poll(() => legend.count()).toBe(11);
    expect(await page.locator('[data-panel="line:train/loss"] .legend-band').innerText()).toBe("240 other runs (min–max)");
    expect(await page.getByTestId("band-runs").innerText()).toContain("+ 240 as a band");

    // The lines are the first 10 in the runs table's order; the band is every other selected run.
    const lineReads = asked.filter((a) => a.method === "GET" && a.path.includes("/metrics/batch"));
    expect(lineReads).toHaveLength(1);
    const lineRuns = new URL(lineReads[0].path, server.url).searchParams.get("runs")!.split(",");
    expect(lineRuns.sort()).toEqual(tableOrder.slice(0, 10).sort());
    const bandReads = asked.filter((a) => a.method === "POST" && a.path.endsWith("/metrics/batch"));
    expect(bandReads).toHaveLength(1);
    const lines = new Set(tableOrder.slice(0, 10));
    expect([...bandReads[0].body!.band!].sort()).toEqual(seeded.runs.map((r) => r.id).filter((id) => !lines.has(id)).sort());
    expect(bandReads[0].body!.keys!.sort()).toEqual(["train/acc", "train/loss"]);
    // The keys of all 200 runs in one request; nothing asked run by run.
    const keyReads = asked.filter((a) => a.path.endsWith("/keys"));
    expect(keyReads).toHaveLength(1);
    expect(keyReads[0].body!.runs).toHaveLength(RUNS);
    // Nothing run by run: no keys, no series, and no fetch of the 50 band runs the list lacks.
    expect(asked.filter((a) => /\/api\/runs\/[^/]+/.test(a.path))).toEqual([]);
    expect(asked.length).toBeLessThan(15);
    expect(errors).toEqual([]);
  });

  it("keeps the spike of one band run in the band's max", async () => {
    const spikeIsLine = tableOrder.indexOf(`m${String(SPIKE_RUN).padStart(5, "0")}`) < 10;
    expect(spikeIsLine).toBe(false);
    // The band is the chart's first series (drawn behind the lines): data[1] its mean, [2] min, [3] max.
    const top = () =>
      page.locator('[data-panel="line:train/loss"] .uplot').evaluate((el) => {
        const u = (el as HTMLElement & { uplot?: { data: (number | null)[][] } }).uplot;
        const hi = (u?.data[3] ?? []).filter((v): v is number => v != null);
        const mean = (u?.data[1] ?? []).filter((v): v is number => v != null);
        return { hi: hi.length ? Math.max(...hi) : null, mean: mean.length ? Math.max(...mean) : null };
      });
    await expect.poll(async () => (await top()).hi, { timeout: 30_000 }).toBe(SPIKE);
    // The mean line of 190 runs moves by far less than the spike.
    expect((await top()).mean!).toBeLessThan(SPIKE / 10);
  });

  it("draws more lines and a smaller band when the Lines control is raised", async () => {
    asked = [];
    await page.getByLabel("Runs drawn as lines").selectOption("20");
    await expect.poll(() => drawn("train/loss"), { timeout: 60_000 }).toEqual({ lines: 20, band: 230 });
    const bandReads = asked.filter((a) => a.method === "POST" && a.path.endsWith("/metrics/batch"));
    expect(bandReads.length).toBeGreaterThanOrEqual(1);
    expect(bandReads.at(-1)!.body!.band).toHaveLength(230);
    expect(asked.filter((a) => /\/api\/runs\/[^/]+\//.test(a.path))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("draws no band when every selected run is a line", async () => {
    asked = [];
    const view = { ...defaultView(), runs: tableOrder.slice(0, 5), lines: 10 };
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?view=${encodeView(view)}`);
    await expect.poll(() => drawn("train/loss"), { timeout: 60_000 }).toEqual({ lines: 5, band: 0 });
    expect(asked.filter((a) => a.method === "POST" && a.path.endsWith("/metrics/batch"))).toEqual([]);
  });

  it("selects runs the list does not hold with Show all", async () => {
    asked = [];
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace`);
    // The default selection: the newest five, all lines.
    await expect.poll(() => drawn("train/loss"), { timeout: 60_000 }).toEqual({ lines: 5, band: 0 });
    await page.getByTestId("runs-hidden-hint").getByRole("button", { name: "Show all" }).click();
    await expect.poll(() => page.getByTestId("runs-shown").innerText(), { timeout: 30_000 }).toBe(`${RUNS} shown`);
    await expect.poll(() => drawn("train/loss"), { timeout: 60_000 }).toEqual({ lines: 10, band: RUNS - 10 });
    expect(errors).toEqual([]);
  });
});
