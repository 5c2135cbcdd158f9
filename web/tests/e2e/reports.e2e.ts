// Reports end to end (issue 21): a real `wanllmdb server` seeded through the SDK, headless Chromium.
// A report made through the API opens in the editor; "# " makes a heading, the "/" menu a code
// block; Save, reload, and both are there (in the editor and in the stored spec). Then the read-only
// view of a report whose markdown block holds a <script> and an onerror image, beside a live panel
// grid: nothing runs (a global flag stays unset), and the ready flag the PDF export waits on is set
// once the panel has drawn. Any console error fails the test.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { callApi, findServerCommand, launchChromium, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB_DIST } from "./harness";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (reports): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

interface Report {
  id: string;
  version: number;
  spec: { blocks: { type: string; text?: { text: string }[]; code?: string; language?: string }[] };
}

describe.skipIf(!bin)("reports: edit with markdown shortcuts and the slash menu, save, reload; a safe live view", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  let projectId: string;
  const errors: string[] = [];
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const base = () => `${server.url}/${seeded.entity}/${seeded.project}/reports`;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error(`${WEB_DIST} is not built: run \`npm run build\` first`);
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--runs", "2", "--steps", "60"]);
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
    await signIn(page, server, seeded);
    projectId = (await callApi<{ id: string }>(page, "GET", `/projects/by-name/${seeded.entity}/${seeded.project}`)).id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("types a heading with '# ', inserts a code block from the slash menu, saves, and sees both after a reload", async () => {
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "E2E report", spec: { version: 1, blocks: [] } });
    await page.goto(`${base()}/${made.id}/edit`);
    const doc = page.locator(".report-doc-edit");
    await doc.waitFor();
    await doc.click();
    await page.keyboard.type("# Results");
    await doc.locator("h1", { hasText: "Results" }).waitFor();
    await page.keyboard.press("Enter");
    await page.keyboard.type("/code");
    await page.locator('[role="listbox"][aria-label="Insert block"] [data-slash="code"]').waitFor();
    await page.keyboard.press("Enter");
    await doc.locator("pre").waitFor();
    await page.keyboard.type("print('hello')");

    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/reports/${made.id}`);
    await page.getByTestId("report-save").click();
    expect((await saved).status()).toBe(200);
    await page.getByTestId("report-version").getByText("v2").waitFor();

    await page.reload();
    await doc.locator("h1", { hasText: "Results" }).waitFor();
    expect(await doc.locator("pre code").innerText()).toContain("print('hello')");
    const stored = await callApi<Report>(page, "GET", `/reports/${made.id}`);
    expect(stored.version).toBe(2);
    expect(stored.spec.blocks.map((b) => b.type)).toEqual(["heading", "code"]);
    expect(stored.spec.blocks[0].text).toEqual([{ text: "Results" }]);
    expect(stored.spec.blocks[1].code).toBe("print('hello')");
    noErrors();
  });

  it("inserts a live panel grid from the slash menu, adds a line panel that draws, shows the drag handle on hover, and saves the grid", async () => {
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "Grid report", spec: { version: 1, blocks: [] } });
    await page.goto(`${base()}/${made.id}/edit`);
    const doc = page.locator(".report-doc-edit");
    await doc.waitFor();
    await doc.click();
    await page.keyboard.type("Intro");
    await page.keyboard.press("Enter");
    await page.keyboard.type("/panel");
    await page.locator('[data-slash="panel-grid"]').waitFor();
    await page.keyboard.press("Enter");
    const grid = doc.locator(".report-grid");
    await grid.waitFor();
    await grid.getByText("Run sets and panels").click();
    await grid.getByLabel("Panel field").fill("train/loss");
    await grid.getByRole("button", { name: "Add panel" }).click();
    await grid.locator(".panel canvas").first().waitFor({ timeout: 20_000 });
    await doc.locator("p", { hasText: "Intro" }).hover();
    await page.locator(".report-drag-handle").waitFor();

    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === `/api/reports/${made.id}`);
    await page.getByTestId("report-save").click();
    expect((await saved).status()).toBe(200);
    const stored = await callApi<{ spec: { blocks: { type: string; run_sets?: { project: string }[]; panels?: { type: string; config?: { metric?: string } }[] }[] } }>(page, "GET", `/reports/${made.id}`);
    const gridBlock = stored.spec.blocks.find((b) => b.type === "panel_grid")!;
    expect(gridBlock.run_sets?.[0].project).toBe(`${seeded.entity}/${seeded.project}`);
    expect(gridBlock.panels?.map((p) => [p.type, p.config?.metric])).toEqual([["line", "train/loss"]]);
    noErrors();
  });

  it("shows a markdown block's <script> and onerror image inertly, and sets the ready flag once the live panel drew", async () => {
    const markdown = "**bold words**\n\n<script>window.__pwned = 'script'</script>\n\n<img src=x onerror=\"window.__pwned = 'img'\">\n\n[bad](javascript:window.__pwned='link')";
    const spec = {
      version: 1,
      blocks: [
        { id: "h", type: "heading", level: 1, text: [{ text: "Findings" }] },
        { id: "md", type: "markdown", markdown },
        {
          id: "grid",
          type: "panel_grid",
          run_sets: [{ id: "rs", project: `${seeded.entity}/${seeded.project}` }],
          panels: [{ id: "loss", type: "line", title: "train/loss", layout: { x: 0, y: 0, w: 12, h: 8 }, config: { metric: "train/loss" } }],
        },
      ],
    };
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "XSS report", spec });
    await page.goto(`${base()}/${made.id}`);
    const view = page.getByTestId("report-view");
    await view.locator('[data-block-id="md"] strong', { hasText: "bold words" }).waitFor();
    await page.locator('[data-testid="report-view"][data-report-ready="true"]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { __reportReady?: boolean }).__reportReady)).toBe(true);
    expect(await view.locator('[data-panel="loss"] canvas').count()).toBeGreaterThan(0);
    await page.waitForTimeout(500); // an onerror would have fired by now
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(await view.locator("script").count()).toBe(0);
    expect(await view.locator("[onerror]").count()).toBe(0);
    expect(await view.locator('a[href^="javascript"]').count()).toBe(0);
    noErrors();
  });

  it("shows a conflict banner when someone saved meanwhile, and overwrites on request", async () => {
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, { title: "Contested", spec: { version: 1, blocks: [] } });
    await page.goto(`${base()}/${made.id}/edit`);
    const doc = page.locator(".report-doc-edit");
    await doc.waitFor();
    await callApi(page, "PUT", `/reports/${made.id}`, { spec: { version: 1, blocks: [{ id: "t", type: "paragraph", text: [{ text: "theirs" }] }] }, base_version: 1 });
    await doc.click();
    await page.keyboard.type("mine");
    await page.getByTestId("report-save").click();
    const banner = page.getByTestId("report-conflict");
    await banner.waitFor();
    expect(await banner.innerText()).toContain("v2");
    await banner.getByRole("button", { name: "Overwrite with mine" }).click();
    await banner.waitFor({ state: "detached" });
    const stored = await callApi<Report>(page, "GET", `/reports/${made.id}`);
    expect(stored.version).toBe(3);
    expect(stored.spec.blocks[0].text).toEqual([{ text: "mine" }]);
    // 409 is the answer the banner is built on: the browser logs it as a failed resource load.
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes("409")));
    noErrors();
  });

  it("marks a comment's text range in the editor while the comments are shown", async () => {
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, {
      title: "Ranges in the editor",
      spec: { version: 1, blocks: [{ id: "p1", type: "paragraph", text: [{ text: "alpha beta gamma" }] }] },
    });
    await callApi(page, "POST", `/reports/${made.id}/comments`, { anchor: { block_id: "p1", from: 6, to: 10, quote: "beta" }, body: "Why beta?" });
    await page.goto(`${base()}/${made.id}/edit`);
    await page.locator(".report-doc-edit").waitFor();
    expect(await page.locator(".report-doc-edit .report-comment").count()).toBe(0);
    await page.getByRole("button", { name: "Comments" }).click();
    const mark = page.locator(".report-doc-edit .report-comment");
    await mark.waitFor();
    expect(await mark.innerText()).toBe("beta");
    noErrors();
  });

  it("lists, diffs and comments on a report, and a view link opens it without an account", async () => {
    const made = await callApi<Report>(page, "POST", `/projects/${projectId}/reports`, {
      title: "Shared findings",
      spec: { version: 1, blocks: [{ id: "p1", type: "paragraph", text: [{ text: "first words" }] }] },
    });
    await callApi(page, "PUT", `/reports/${made.id}`, {
      spec: { version: 1, blocks: [{ id: "p1", type: "paragraph", text: [{ text: "first words changed" }] }, { id: "p2", type: "paragraph", text: [{ text: "new block" }] }] },
      base_version: 1,
    });

    await page.goto(base());
    await page.getByLabel("Search reports").fill("Shared find");
    await page.locator(`[data-testid="reports"] tr[data-report="${made.id}"]`).waitFor();
    await page.locator(`tr[data-report="${made.id}"] a`).click();
    await page.getByTestId("report-title").getByText("Shared findings").waitFor();

    await page.locator('[data-block-id="p2"] .report-comment-btn').click();
    await page.getByLabel("New comment").fill("Looks right to me");
    await page.getByRole("button", { name: "Comment on block" }).click();
    const thread = page.locator('.report-thread[data-anchor="p2"]');
    await thread.getByText("Looks right to me").waitFor();
    await thread.getByRole("button", { name: "Resolve" }).click();
    await thread.waitFor({ state: "detached" });

    await page.getByRole("link", { name: "History" }).click();
    await page.locator('[data-testid="versions"] tr[data-version="2"]').waitFor();
    await page.locator('[data-testid="diff"] [data-change="added"][data-block-id="p2"]').waitFor();
    expect(await page.locator('[data-testid="diff"] [data-block-id="p1"] ins').innerText()).toContain("changed");

    await page.goto(`${base()}/${made.id}`);
    await page.getByRole("button", { name: "Share" }).click();
    await page.getByRole("button", { name: "Create link" }).click();
    const url = await page.getByLabel("New link").inputValue();
    expect(url).toContain("/shared/reports/");
    const guest = await browser.newPage();
    try {
      await guest.goto(url);
      await guest.getByTestId("report-title").getByText("Shared findings").waitFor();
      await guest.locator('[data-testid="report-view"][data-report-ready="true"]').waitFor();
    } finally {
      await guest.close();
    }
    noErrors();
  });
});
