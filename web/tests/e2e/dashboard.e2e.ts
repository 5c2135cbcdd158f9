// The dashboard end to end: a real `wanllmdb server`, runs logged by the real SDK, headless
// Chromium. Every step asserts on what the page shows, and any console error fails the test.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, SHOTS, startServer, watchedPage, WEB } from "./harness";
import { existsSync } from "node:fs";

const bin = findServerCommand();
if (!bin) {
  // Loud on purpose: a skipped browser test must never look like a passed one.
  console.warn(
    "\n" + "!".repeat(78) + "\n!! WEB E2E SKIPPED: no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n" + "!".repeat(78) + "\n",
  );
}

describe.skipIf(!bin)("dashboard against a real local server", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  /** Signs `username` in from a fresh browser context (no storage shared with `page`), runs `steps`
   * there, and fails on any console error it logged. */
  const elsewhere = async (username: string, password: string, steps: (p: Page) => Promise<void>) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const other = await context.newPage();
    const otherErrors: string[] = [];
    other.on("console", (m) => {
      if (m.type() === "error") otherErrors.push(m.text());
    });
    try {
      await other.goto(`${server.url}/login`);
      await other.fill("input[name=username]", username);
      await other.fill("input[name=password]", password);
      await other.click("button[type=submit]");
      await other.getByRole("heading", { name: "Projects" }).waitFor();
      await steps(other);
    } finally {
      await context.close();
    }
    expect(otherErrors, `console errors:\n${otherErrors.join("\n")}`).toEqual([]);
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(bin!);
    seeded = seed(bin!, server);
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("logs in and lists the project", async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await page.fill("input[name=username]", seeded.username);
    await page.fill("input[name=password]", "wrong-password");
    await page.click("button[type=submit]");
    await page.locator("[role=alert]").waitFor();
    expect(await page.locator("[role=alert]").innerText()).toMatch(/\w+/);
    errors.length = 0; // the browser logs the refused login's 401 itself; that one is expected
    await page.fill("input[name=password]", seeded.password);
    await page.click("button[type=submit]");
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    await page.getByRole("link", { name: new RegExp(seeded.project) }).waitFor();
    await shot("01-projects");
    noErrors();
  });

  it("keeps the session where no script can read it", async () => {
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toMatch(/wls_|wlr_|token/i);
    const visible = await page.evaluate(() => document.cookie);
    expect(visible).not.toContain("wl_session");
    expect(visible).not.toContain("wl_refresh");
    expect(visible).toContain("wl_csrf=");
    const cookies = Object.fromEntries((await page.context().cookies()).map((c) => [c.name, c]));
    expect(cookies.wl_session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    // A reload stays signed in: the browser sends the cookie, the page needs no token.
    await page.reload();
    await page.getByRole("link", { name: new RegExp(seeded.project) }).waitFor();
    noErrors();
  });

  it("opens the project overview with its run counts", async () => {
    await page.getByRole("link", { name: new RegExp(seeded.project) }).click();
    await page.waitForURL(new RegExp(`/${seeded.entity}/${seeded.project}$`));
    const counts = page.getByTestId("run-counts");
    await counts.getByText("3", { exact: true }).first().waitFor();
    await page.locator(".run-list li").first().waitFor();
    await shot("02-overview");
    noErrors();
  });

  it("sorts the runs table on the server by a config field", async () => {
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/table`);
    await page.locator(".grid-row").nth(2).waitFor();
    expect(await page.getByTestId("runs-total").innerText()).toBe("3");
    const sortBy = async () => {
      const req = page.waitForRequest((r) => r.url().includes("/runs?") && r.url().includes("order="));
      await page.locator('.grid-hcell[data-field="config.lr"]').click();
      await req;
      await page.waitForTimeout(300);
    };
    const lrs = async () =>
      Promise.all(
        (await page.locator(".grid-row").all()).map(async (row) => Number(await row.locator('.grid-cell[data-field="config.lr"]').innerText())),
      );
    await sortBy(); // first click: descending
    await expect.poll(lrs).toEqual([0.1, 0.01, 0.001]);
    await sortBy(); // second click: ascending
    await expect.poll(lrs).toEqual([0.001, 0.01, 0.1]);
    expect(page.url()).toContain("order=config.lr");
    await shot("03-table-sorted");
    noErrors();
  });

  it("selects two runs and draws both on a chart", async () => {
    const [a, b] = seeded.runs;
    // The selection lives in the URL; the router applies that update after the click returns, so
    // the controlled checkbox shows it a moment later: click, then wait for it (check() would not).
    for (const run of [a, b]) {
      const box = page.getByLabel(`Select ${run.name}`);
      await box.click();
      await expect.poll(() => box.isChecked()).toBe(true);
    }
    await page.getByTestId("compare-selected").click();
    await page.waitForURL(/\/workspace/);
    const panel = page.locator('[data-panel="line:train/loss"]');
    await panel.locator(".uplot[data-drawn]").waitFor();
    // Each run's series comes on its own request, and the legend lists a run once its data is in.
    const legend = async () => (await panel.locator(".legend-item").allInnerTexts()).sort();
    await expect.poll(legend).toEqual([a.name, b.name].sort());
    await page.locator('[data-section="val"]').waitFor();
    await shot("04-workspace");
    noErrors();
  });

  it("drags to zoom, refetching the range at full resolution, and double-click resets", async () => {
    const panel = page.locator('[data-panel="line:train/loss"]');
    const over = panel.locator(".u-over");
    await panel.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    const req = page.waitForRequest((r) => r.url().includes("/metrics?") && r.url().includes("min=") && r.url().includes("max="));
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await req;
    await expect.poll(() => panel.locator(".metric-panel").getAttribute("data-zoomed")).toBe("1");
    await page.waitForTimeout(400);
    await shot("05-zoomed");
    await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
    await expect.poll(() => panel.locator(".metric-panel").getAttribute("data-zoomed")).toBe("0");
    noErrors();
  });

  it("saves a view and restores it after a reload", async () => {
    await page.getByLabel("Smoothing").fill("0.6");
    await page.getByLabel("Log scale").check();
    await page.getByLabel("View name").fill("e2e view");
    await page.getByRole("button", { name: "Save view" }).click();
    // A bare workspace URL starts from defaults; picking the saved view brings everything back.
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace`);
    await page.locator('[data-panel="line:train/loss"] .uplot[data-drawn]').waitFor();
    expect(await page.getByLabel("Log scale").isChecked()).toBe(false);
    await page.getByLabel("Saved views").selectOption("e2e view");
    await expect.poll(() => page.getByLabel("Smoothing").inputValue()).toBe("0.6");
    expect(await page.getByLabel("Log scale").isChecked()).toBe(true);
    const legend = page.locator('[data-panel="line:train/loss"] .legend-item');
    await expect.poll(() => legend.count()).toBe(2);
    // The URL carries the view too: reloading it restores the same state.
    await page.reload();
    await page.locator('[data-panel="line:train/loss"] .uplot[data-drawn]').waitFor();
    expect(await page.getByLabel("Smoothing").inputValue()).toBe("0.6");
    // The chart draws with the first run's answer; the second run's joins it a moment later.
    await expect.poll(() => page.locator('[data-panel="line:train/loss"] .legend-item').count()).toBe(2);
    await shot("06-view-restored");
    noErrors();
  });

  it("opens a saved view from a link in another browser, because views live on the server", async () => {
    // A fresh context shares no storage with the first page: only the server can supply the view.
    await elsewhere(seeded.username, seeded.password, async (teammate) => {
      await teammate.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?saved=${encodeURIComponent("e2e view")}`);
      await teammate.locator('[data-panel="line:train/loss"] .uplot[data-drawn]').waitFor();
      await expect.poll(() => teammate.getByLabel("Smoothing").inputValue()).toBe("0.6");
      expect(await teammate.getByLabel("Log scale").isChecked()).toBe(true);
      await expect.poll(() => teammate.locator('[data-panel="line:train/loss"] .legend-item').count()).toBe(2);
      expect(await teammate.getByLabel("Saved views").inputValue()).toBe("e2e view");
      await teammate.screenshot({ path: join(SHOTS, "06b-saved-view-link.png") });
    });
  });

  it("offers a reader only what a reader may do: open views, but not save them or edit notes", async () => {
    // The owner makes the project public; a second user, who may only read it, signs in.
    const post = async (path: string, body: unknown, token?: string, method = "POST") => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
      return res.json();
    };
    const owner = await post("/api/auth/login", { username: seeded.username, password: seeded.password });
    const project = await (
      await fetch(`${server.url}/api/projects/by-name/${seeded.entity}/${seeded.project}`, { headers: { Authorization: `Bearer ${owner.token}` } })
    ).json();
    await post(`/api/projects/${project.id}`, { visibility: "public" }, owner.token, "PATCH");
    // Sign-up is closed: the server's admin invites the reader.
    const invitation = await post("/api/invitations", {}, readFileSync(server.adminKeyPath, "utf8").trim());
    await post("/api/auth/register", { username: "reader", password: "reader-password-1", invitation: invitation.token });

    await elsewhere("reader", "reader-password-1", async (reader) => {
      await reader.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace?saved=${encodeURIComponent("e2e view")}`);
      await reader.locator('[data-panel="line:train/loss"] .uplot[data-drawn]').waitFor();
      await expect.poll(() => reader.getByLabel("Smoothing").inputValue()).toBe("0.6");
      expect(await reader.getByRole("button", { name: "Save view" }).count()).toBe(0);
      expect(await reader.getByRole("button", { name: "Delete" }).count()).toBe(0);
      await reader.goto(`${server.url}/${seeded.entity}/${seeded.project}/runs/${seeded.runs[0].id}`);
      await reader.getByRole("heading", { name: "Tags and notes" }).waitFor();
      expect(await reader.getByRole("textbox", { name: "Notes" }).count()).toBe(0);
      expect(await reader.getByLabel("Add tag").count()).toBe(0);
      await reader.screenshot({ path: join(SHOTS, "06c-reader-run-page.png") });
    });
  });

  it("opens a run page with config, summary and its console logs", async () => {
    const run = seeded.runs[0];
    await page.getByTestId("run-selector").getByRole("link", { name: run.name }).click();
    await page.waitForURL(new RegExp(`/runs/${run.id}$`));
    await page.getByRole("heading", { name: new RegExp(run.name) }).waitFor();
    await page.locator(".tree-key", { hasText: "lr" }).first().waitFor();
    await page.getByTestId("summary-table").waitFor();
    expect(await page.getByTestId("summary-table").innerText()).toContain("train/loss");
    await shot("07-run-overview");
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByTestId("logs").getByText("training of run 1 done").waitFor();
    await page.getByLabel("Search logs").fill("epoch 2");
    await expect.poll(() => page.getByTestId("log-count").innerText()).toBe("1 line");
    await shot("08-run-logs");
    noErrors();
  });
});
