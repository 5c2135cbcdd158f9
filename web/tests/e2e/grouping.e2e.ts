// Grouping as wandb users rely on it, end to end: a real server, runs logged by the real SDK and
// put in two groups, headless Chromium. The table groups on the server (rows with counts, expand
// to list a group's runs); the workspace draws one line per group from the server's bands.
// Screenshots of the same data ungrouped (before) and grouped (after) go to test-output/web/; with
// $SHOTS_TO_DOCS set they go to docs/screenshots/ instead (how the docs' pictures were taken), so a
// plain test run never changes tracked files.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, REPO, seed, type Seeded, type Server, SHOTS, signIn, startServer, watchedPage, WEB } from "./harness";

const bin = findServerCommand();
const DOCS_SHOTS = process.env.SHOTS_TO_DOCS ? join(REPO, "docs", "screenshots") : SHOTS;
if (!bin) console.warn("\n!! WEB E2E SKIPPED (grouping): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

describe.skipIf(!bin)("grouping against a real local server", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(DOCS_SHOTS, `${name}.png`), fullPage: false });
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const table = () => `${server.url}/${seeded.entity}/${seeded.project}/table`;

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(DOCS_SHOTS, { recursive: true });
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--runs", "4", "--steps", "120", "--project", "grouping"]);
    // Runs 1-2 form group "sweep-a", runs 3-4 "sweep-b", as wandb.init(group=...) would.
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: seeded.username, password: seeded.password }),
    });
    const auth = { Authorization: `Bearer ${(await login.json()).token}`, "Content-Type": "application/json" };
    const project = await (await fetch(`${server.url}/api/projects/by-name/${seeded.entity}/${seeded.project}`, { headers: auth })).json();
    for (const [i, run] of seeded.runs.entries()) {
      const res = await fetch(`${server.url}/api/runs/${run.id}?project_id=${project.id}`, {
        method: "PATCH",
        headers: auth,
        body: JSON.stringify({ group: i < 2 ? "sweep-a" : "sweep-b" }),
      });
      expect(res.ok, `PATCH group: ${res.status}`).toBe(true);
    }
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
    await signIn(page, server, seeded);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows who ran each run, for how long, and in which group", async () => {
    await page.goto(table());
    await page.locator(".grid-row").nth(3).waitFor();
    const cell = (field: string) => page.locator(`.grid-row .grid-cell[data-field="${field}"]`).first().innerText();
    expect(await cell("created_by")).toBe(seeded.username);
    expect(await cell("runtime")).toMatch(/^\d+(\.\d)? s$|^\d+ ms$|^\d+ m \d\d s$/);
    expect(await cell("group")).toMatch(/^sweep-[ab]$/);
    await shot("grouping-table-before");
    noErrors();
  });

  it("finds runs by any part of their name", async () => {
    await page.getByPlaceholder("Search run names").fill("lr0.001");
    await expect.poll(() => page.getByTestId("runs-total").innerText()).toBe("1");
    await page.getByPlaceholder("Search run names").fill("");
    await expect.poll(() => page.getByTestId("runs-total").innerText()).toBe("4");
  });

  it("groups the table on the server: one row per group with its count, expandable", async () => {
    const req = page.waitForRequest((r) => r.url().includes("/runs/groups?") && r.url().includes("by=group"));
    await page.getByLabel("Group runs by").selectOption("group");
    await req;
    const groups = page.getByTestId("run-groups").locator(".run-group");
    await expect.poll(() => groups.count()).toBe(2);
    expect(await page.locator('.run-group[data-group="sweep-a"] [data-testid="group-count"]').innerText()).toBe("2 runs");
    expect(await page.locator('.run-group[data-group="sweep-b"] [data-testid="group-count"]').innerText()).toBe("2 runs");
    await page.locator('.run-group[data-group="sweep-a"] .group-row').click();
    const rows = page.locator('.run-group[data-group="sweep-a"] .grid-row');
    await expect.poll(() => rows.count()).toBe(2);
    const names = await rows.locator('.grid-cell[data-field="name"]').allInnerTexts();
    expect(names.sort()).toEqual(seeded.runs.slice(0, 2).map((r) => r.name).sort());
    expect(page.url()).toContain("by=group");
    await shot("grouping-table-after");
    noErrors();
  });

  it("draws one line per group in the workspace, from the server's bands", async () => {
    const ids = seeded.runs.map((r) => r.id).join(",");
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?runs=${ids}`);
    const panel = page.locator('[data-panel="line:train/loss"]');
    await panel.locator(".uplot[data-drawn]").waitFor();
    await expect.poll(() => panel.locator(".legend-item").count()).toBe(4);
    await shot("grouping-workspace-before");
    // (The body is not visible to the test: openapi-fetch sends it as a stream. The legend below
    // shows the groups, which only the server's grouped answer has.)
    const req = page.waitForRequest((r) => r.url().includes("/metrics/query") && r.method() === "POST");
    await page.getByLabel("Group lines by").selectOption("group");
    await req;
    await expect.poll(() => panel.locator(".metric-panel").getAttribute("data-grouped")).toBe("2");
    await panel.locator(".uplot[data-drawn]").waitFor();
    const legend = await panel.locator(".legend-item").allInnerTexts();
    expect(legend.map((t) => t.trim()).sort()).toEqual(["sweep-a (2 runs)", "sweep-b (2 runs)"]);
    await page.getByLabel("Band").selectOption("std");
    await page.waitForTimeout(300);
    await page.getByLabel("Band").selectOption("minmax");
    await page.waitForTimeout(300);
    await shot("grouping-workspace-after");
    // The grouping is part of the view: a reload keeps it.
    await page.reload();
    await expect.poll(() => page.locator('[data-panel="line:train/loss"] .metric-panel').getAttribute("data-grouped")).toBe("2");
    noErrors();
  });
});
