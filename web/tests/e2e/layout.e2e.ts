// Workspace layout, the run page's Charts and Logs tabs, sign-in help and the profile page, against a
// real `wanllmdb server` seeded through the SDK, in headless Chromium. Any console error fails a step.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, SHOTS, startServer, watchedPage, WEB } from "./harness";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (layout): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

describe.skipIf(!bin)("workspace layout, run tabs and profile", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  let token = "";
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const workspace = () => `${server.url}/${seeded.entity}/${seeded.project}/workspace`;

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(bin!);
    seeded = seed(bin!, server, ["--runs", "3", "--steps", "150"]);
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: seeded.username, password: seeded.password }),
    });
    token = (await login.json()).token;
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("tells how to sign in on a local server, then signs in", async () => {
    await page.goto(`${server.url}/login`);
    const hint = page.getByTestId("local-login-hint");
    await hint.waitFor();
    expect(await hint.innerText()).toMatch(/admin.*admin-api-key/s);
    await page.fill("input[name=username]", seeded.username);
    await page.fill("input[name=password]", seeded.password);
    await page.click("button[type=submit]");
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    noErrors();
  });

  it("lists, creates (secret shown once) and revokes API keys on the profile page", async () => {
    await page.goto(`${server.url}/settings`);
    await page.waitForURL(/\/settings\/profile$/);
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    expect(await page.getByTestId("profile-username").innerText()).toBe(seeded.username);
    const rows = page.locator("[data-testid=keys-table] tbody tr");
    await rows.first().waitFor(); // the seed made one key for the SDK
    const before = await rows.count();
    await page.getByLabel("New key name").fill("e2e-laptop");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await page.getByTestId("new-key-secret").innerText();
    expect(secret.length).toBeGreaterThan(20);
    await expect.poll(() => rows.count()).toBe(before + 1);
    // The secret works as a key for the API.
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { Authorization: `Bearer ${secret.trim()}` } });
    expect(me.status).toBe(200);
    await shot("20-profile-keys");
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Revoke e2e-laptop" }).click();
    await expect.poll(() => rows.count()).toBe(before);
    const revoked = await fetch(`${server.url}/api/auth/me`, { headers: { Authorization: `Bearer ${secret.trim()}` } });
    expect(revoked.status).toBe(401);
    noErrors();
  });

  it("fills the width with panels, fewer a row on a narrow window, and keeps resize handles", async () => {
    await page.goto(workspace());
    const train = page.locator('[data-section="train"]');
    await train.locator(".uplot[data-drawn]").first().waitFor();
    const fill = async () => {
      const sec = (await train.boundingBox())!;
      const boxes = await Promise.all((await train.locator(".panel").all()).map((p) => p.boundingBox()));
      const right = Math.max(...boxes.map((b) => b!.x + b!.width));
      return sec.x + sec.width - right;
    };
    expect(await train.getAttribute("data-per-row")).toBe("2");
    expect(await fill()).toBeLessThan(30); // two panels share the whole row, not two thirds of it
    expect(await train.locator(".react-resizable-handle").count()).toBeGreaterThan(0);
    await shot("21-workspace-wide");
    await page.setViewportSize({ width: 800, height: 900 });
    await expect.poll(() => train.getAttribute("data-per-row")).toBe("1");
    await expect.poll(fill).toBeLessThan(30);
    await page.setViewportSize({ width: 1440, height: 900 });
    noErrors();
  });

  it("shows a run started while the workspace is open, and says why some runs are hidden", async () => {
    await page.goto(workspace());
    await expect.poll(() => page.getByTestId("runs-shown").innerText()).toBe("3 shown");
    expect(await page.getByTestId("runs-hidden-hint").count()).toBe(0);
    // Four runs start elsewhere, named by entity:name in the path (no project id needed).
    for (let i = 1; i <= 4; i++) {
      const r = await fetch(`${server.url}/api/projects/${seeded.entity}:${seeded.project}/runs`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify({ id: `live${i}`, name: `live-${i}` }),
      });
      expect(r.status).toBe(201);
    }
    // Within the poll interval (5 s), without a reload.
    const selector = page.getByTestId("run-selector");
    await selector.getByRole("link", { name: "live-4" }).waitFor({ timeout: 15_000 });
    const hint = page.getByTestId("runs-hidden-hint");
    await hint.waitFor();
    expect(await hint.innerText()).toContain("Showing the 5 most recent; 2 hidden");
    await shot("22-workspace-hint");
    await hint.getByRole("button", { name: "Show all" }).click();
    await expect.poll(() => page.getByTestId("runs-shown").innerText()).toBe("7 shown");
    noErrors();
  });

  it("has a Charts tab on the run page: the workspace's panels for that run alone", async () => {
    const run = seeded.runs[0];
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/runs/${run.id}`);
    await page.getByRole("link", { name: "Charts" }).click();
    await page.waitForURL(new RegExp(`/runs/${run.id}/charts`));
    const panel = page.locator('[data-panel="line:train/loss"]');
    await panel.locator(".uplot[data-drawn]").waitFor();
    expect(await panel.locator(".legend-item").allInnerTexts()).toEqual([run.name]);
    expect(await page.getByTestId("run-selector").count()).toBe(0);
    await page.locator('[data-section="val"]').waitFor();
    await shot("23-run-charts");
    noErrors();
  });

  it("shows console timestamps, and hides them on request", async () => {
    const run = seeded.runs[0];
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/runs/${run.id}/logs`);
    await page.getByTestId("logs").getByText("training of run 1 done").waitFor();
    const ts = page.locator(".log-ts").first();
    expect(await ts.innerText()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(await ts.getAttribute("datetime")).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await shot("24-run-logs-timestamps");
    await page.getByLabel("Timestamps").uncheck();
    await expect.poll(() => page.locator(".log-ts").count()).toBe(0);
    await page.reload(); // the choice is remembered
    await page.getByTestId("logs").getByText("training of run 1 done").waitFor();
    expect(await page.locator(".log-ts").count()).toBe(0);
    await page.getByLabel("Timestamps").check();
    await expect.poll(() => page.locator(".log-ts").count()).toBeGreaterThan(0);
    noErrors();
  });
});
