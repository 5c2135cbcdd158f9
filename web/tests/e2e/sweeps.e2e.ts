// Sweeps in the dashboard end to end (issue 19): a real `wanllmdb server`, a random sweep whose trials ran
// through the agent protocol over HTTP (tests/web_e2e/seed_sweeps.py: 24 trials, one failed), headless
// Chromium. The Sweeps tab lists the sweep; its page shows the importance bars (lr first: the loss is a
// bowl in log10(lr)) and the correlation bars, the best parameters with their top-trial ranges, the
// metric-versus-time scatter with the best-so-far line, parallel coordinates over the parameters and the
// loss, the runs table filtered to the sweep and the YAML. Trials added while the page is open show
// without a reload (polling), and pause / resume / stop change the sweep's state. Any console error fails
// the test. With $SHOTS_TO_DOCS set, the page is kept as docs/screenshots/sweep-page-<suffix>.png.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { drawn, inkOf, shot } from "./chartHelpers";
import { findServerCommand, launchChromium, seed, type Server, signIn, startServer, watchedPage, WEB_DIST } from "./harness";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (sweeps): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

interface Seeded {
  entity: string;
  project: string;
  project_id: string;
  sweep_id: string;
  username: string;
  password: string;
  trials: { run_id: string; params: Record<string, unknown>; loss: number | null }[];
}

const TRIALS = 24;
const MORE = 4;

describe.skipIf(!bin)("sweeps: list, analysis, charts, runs, live progress and state controls", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const sweepPath = () => `/${seeded.entity}/${seeded.project}/sweeps/${seeded.sweep_id}`;
  const card = (id: string): Locator => page.locator(`[data-testid="${id}"]`);

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error(`${WEB_DIST} is not built: run \`npm run build\` first`);
    server = await startServer(bin!);
    seeded = seed<Seeded>(bin!, server, ["--trials", String(TRIALS)], "seed_sweeps.py");
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
    await signIn(page, server, seeded);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("lists the project's sweeps from the Sweeps tab", async () => {
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}`);
    await page.getByRole("link", { name: "Sweeps", exact: true }).click();
    const row = page.locator(`[data-testid="sweeps"] tr[data-sweep="${seeded.sweep_id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("lr-search");
    expect(await row.textContent()).toContain("loss (minimize)");
    await row.getByRole("link", { name: "lr-search" }).click();
    await page.waitForURL(`**${sweepPath()}`);
    noErrors();
  });

  it("shows importance and correlation bars, lr first, and the best parameters with their ranges", async () => {
    const rows = card("importance").locator("tr[data-param]");
    await rows.first().waitFor();
    const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-param")));
    expect(new Set(names)).toEqual(new Set(["lr", "optimizer", "layers", "dropout"]));
    expect(names[0]).toBe("lr");
    const shares = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-importance"))));
    expect(shares[0]).toBeGreaterThan(0.4);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    // Bars are as wide as the share; the correlation bars grow from the centre; optimizer has one row per category.
    const width = await rows.first().locator(".importance-bar").evaluate((el) => (el as HTMLElement).style.width);
    expect(parseFloat(width)).toBeCloseTo(shares[0] * 100, 0);
    expect(await card("importance").locator(".corr-bar").count()).toBeGreaterThanOrEqual(3);
    expect(await card("importance").locator('tr.category-row[data-category="adam"]').count()).toBe(1);

    const finished = seeded.trials.filter((t) => t.loss !== null);
    const best = finished.reduce((a, b) => (b.loss! < a.loss! ? b : a));
    expect(Number(await card("best-params").getByTestId("best-value").textContent())).toBeCloseTo(best.loss!, 4);
    const lrRow = card("best-params").locator('tr[data-param="lr"]');
    expect(await lrRow.textContent()).toMatch(/median/);
    noErrors();
  });

  it("draws the metric over time with the best-so-far line, and parallel coordinates of every ended trial", async () => {
    const ended = seeded.trials.length; // the failed trial is imputed (metric.impute: worst) and drawn apart
    const overTime = card("metric-over-time");
    await drawn(overTime);
    expect(Number(await overTime.getAttribute("data-points"))).toBe(ended);
    const parallel = card("parallel");
    await drawn(parallel);
    expect(Number(await parallel.getAttribute("data-rows"))).toBe(ended);
    expect(await parallel.locator('[role="img"]').getAttribute("aria-label")).toMatch(/^Parallel coordinates/);
    const ink = await inkOf(page, parallel.locator(".echart"));
    expect(ink.ink).toBeGreaterThan(2000); // 24 coloured lines across four axes and the loss
    expect(ink.colours).toBeGreaterThan(8); // coloured by the loss, not one flat colour
    noErrors();
  });

  it("lists the sweep's runs in the runs table and shows the config as written", async () => {
    const runs = card("sweep-runs");
    await runs.locator(".run-link").first().waitFor();
    expect(Number(await runs.locator(".count").textContent())).toBe(TRIALS);
    expect(await card("sweep-config").textContent()).toContain("distribution: log_uniform_values");
    noErrors();
  });

  it("links each trial to its sweep from the project's runs table", async () => {
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/table?cols=name,state,sweep_id`);
    const links = page.locator(`a[href$="/sweeps/${seeded.sweep_id}"]`);
    await links.first().waitFor();
    expect(await links.count()).toBeGreaterThan(5);
    await links.first().click();
    await page.waitForURL(`**${sweepPath()}`);
    await card("importance").locator("tr[data-param]").first().waitFor();
    noErrors();
  });

  it("shows trials that finish while the page is open, without a reload", async () => {
    const overTime = card("metric-over-time");
    seed<Seeded>(bin!, server, ["--trials", String(MORE), "--sweep", seeded.sweep_id], "seed_sweeps.py");
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel as string)?.getAttribute("data-points")) === n,
      ['[data-testid="metric-over-time"]', TRIALS + MORE],
      { timeout: 20_000 },
    );
    await drawn(overTime);
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel as string)?.textContent) === n,
      ['[data-testid="sweep-runs"] .count', TRIALS + MORE],
      { timeout: 20_000 },
    );
    await shot(page, "sweep-page");
    noErrors();
  });

  it("pauses, resumes and stops the sweep from its controls", async () => {
    const state = () => page.locator(".sweep-page").getAttribute("data-state");
    const click = async (action: string, after: string) => {
      await card("sweep-controls").locator(`button[data-action="${action}"]`).click();
      await page.locator(`.sweep-page[data-state="${after}"]`).waitFor();
    };
    expect(await state()).toBe("running");
    await click("pause", "paused");
    expect(await card("sweep-controls").locator("button").evaluateAll((bs) => bs.map((b) => b.getAttribute("data-action")))).toEqual([
      "resume",
      "stop",
      "cancel",
    ]);
    await click("resume", "running");
    await click("stop", "finished");
    // Stopped: no resume offered by pause any more, and the stats say why the sweep ended.
    await page.waitForFunction(() => document.querySelector('[data-testid="sweep-stats"]')?.textContent?.includes("stopped"));
    noErrors();
  });
});
