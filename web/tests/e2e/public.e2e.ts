// A public project, signed out: a real `wanllmdb server` seeded through the SDK, the owner makes one
// project public, and a browser context with no cookies reads it as anyone on the web would. Any
// console error fails a step; no request that needs a user is sent, and nothing redirects to /login.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, SHOTS, startServer, WEB } from "./harness";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (public): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

// Routes that answer 401 without a user: a signed-out page must not ask them at all.
const USER_ONLY = /\/api\/(auth\/me|auth\/refresh|notifications|orgs|keys|webhooks|outbox)\b/;

describe.skipIf(!bin)("a public project, signed out", () => {
  let server: Server;
  let open: Seeded;
  let closed: Seeded;
  let browser: Browser;
  let context: BrowserContext;
  let projectId = "";
  let page: Page;
  const errors: string[] = [];
  const userOnly: string[] = [];
  const refused: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const base = () => `${server.url}/${open.entity}/${open.project}`;
  /** What a signed-in user has and a visitor must not see: the bell, the user menu, the Settings tab. */
  const expectSignedOutShell = async () => {
    const signIn = page.getByTestId("sign-in");
    await signIn.waitFor();
    const { pathname, search } = new URL(page.url());
    expect(await signIn.getAttribute("href")).toBe(`/login?next=${encodeURIComponent(pathname + search)}`);
    expect(await page.getByRole("button", { name: /Notifications/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Organization" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Settings", exact: true }).count()).toBe(0);
  };

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(bin!);
    open = seed(bin!, server, ["--project", "public-e2e", "--runs", "2", "--steps", "120"]);
    closed = seed(bin!, server, ["--project", "private-e2e", "--runs", "1", "--steps", "5"]);
    // The owner makes one project public, with its own session token, as the settings page would.
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: open.username, password: open.password }),
    });
    const auth = { Authorization: `Bearer ${(await login.json()).token}` };
    const project = await (await fetch(`${server.url}/api/projects/by-name/${open.entity}/${open.project}`, { headers: auth })).json();
    projectId = project.id;
    const patched = await fetch(`${server.url}/api/projects/${project.id}`, {
      method: "PATCH",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ visibility: "public" }),
    });
    expect(patched.status, await patched.text()).toBe(200);
    browser = await launchChromium();
    // A fresh context: no cookies, no localStorage, nothing of any sign-in.
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (USER_ONLY.test(new URL(r.url()).pathname)) userOnly.push(`${r.method()} ${r.url()}`);
    });
    page.on("response", (r) => {
      if (r.status() === 401) refused.push(`${r.request().method()} ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the overview's run counts and runs, with a Sign in link instead of the user menu", async () => {
    expect((await context.cookies()).length).toBe(0);
    await page.goto(base());
    await page.getByTestId("run-counts").getByText("2", { exact: true }).first().waitFor();
    await page.locator(".run-list li").first().waitFor();
    expect(await page.locator(".run-list a", { hasText: open.runs[0].name }).count()).toBeGreaterThan(0);
    await expectSignedOutShell();
    expect(page.url()).toBe(base());
    await shot("public-01-overview");
    noErrors();
  });

  it("lists the runs in the table", async () => {
    await page.goto(`${base()}/table`);
    await expect.poll(() => page.getByTestId("runs-total").innerText()).toBe("2");
    await expectSignedOutShell();
    noErrors();
  });

  it("draws the workspace's charts, without Save view or Delete", async () => {
    await page.goto(`${base()}/workspace`);
    await page.locator('[data-panel="line:train/loss"] .uplot[data-drawn]').waitFor();
    expect(await page.getByRole("button", { name: "Save view" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Delete" }).count()).toBe(0);
    await expectSignedOutShell();
    await shot("public-02-workspace");
    noErrors();
  });

  it("opens a run page with its config and summary metrics, and no tag or notes editor", async () => {
    const run = open.runs[0];
    await page.goto(`${base()}/runs/${run.id}`);
    await page.getByRole("heading", { name: new RegExp(run.name) }).waitFor();
    await page.locator(".tree-key", { hasText: "lr" }).first().waitFor();
    await page.getByTestId("summary-table").waitFor();
    expect(await page.getByTestId("summary-table").innerText()).toContain("train/loss");
    await page.getByRole("heading", { name: "Tags and notes" }).waitFor();
    expect(await page.getByRole("textbox", { name: "Notes" }).count()).toBe(0);
    expect(await page.getByLabel("Add tag").count()).toBe(0);
    await expectSignedOutShell();
    expect(page.url()).not.toMatch(/\/login/);
    await shot("public-03-run");
    noErrors();
  });

  it("follows the run's console logs, and a /p/<project id> link", async () => {
    const run = open.runs[0];
    await page.goto(`${base()}/runs/${run.id}/logs`);
    await page.getByTestId("logs").getByText("training of run 1 done").waitFor();
    await page.goto(`${server.url}/p/${projectId}/runs/${run.id}`);
    await page.waitForURL(`${base()}/runs/${run.id}`);
    await page.getByRole("heading", { name: new RegExp(run.name) }).waitFor();
    await expectSignedOutShell();
    noErrors();
  });

  it("opens the artifacts page", async () => {
    await page.goto(`${base()}/artifacts`);
    await page.getByText("No artifacts yet").waitFor();
    await expectSignedOutShell();
    noErrors();
  });

  it("asked nothing that needs a user, and got no 401", () => {
    expect(userOnly, userOnly.join("\n")).toEqual([]);
    expect(refused, refused.join("\n")).toEqual([]);
  });

  it("says a private project needs a sign-in, without redirecting", async () => {
    const path = `/${closed.entity}/${closed.project}/workspace`;
    await page.goto(`${server.url}${path}`);
    const notice = page.getByTestId("project-private");
    await notice.waitFor();
    expect(await notice.innerText()).toContain("This project is private or does not exist. Sign in to see it.");
    expect(await notice.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(`/login?next=${encodeURIComponent(path)}`);
    expect(page.url()).toBe(`${server.url}${path}`);
    await shot("public-04-private");
    // The 404 the lookup answered is logged by the browser itself (a failed resource load); nothing else is.
    expect(errors.filter((e) => !/status of 404/.test(e)), errors.join("\n")).toEqual([]);
    errors.length = 0;
    expect(userOnly, userOnly.join("\n")).toEqual([]);
  });

  it("still sends the projects list and settings to the login page", async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.goto(`${base()}/settings`);
    await page.waitForURL(/\/login\?next=/);
    noErrors();
  });

  it("signs in from the project's Sign in link and comes back to it, with the user menu", async () => {
    await page.goto(base());
    await page.getByTestId("sign-in").click();
    await page.waitForURL(/\/login\?next=/);
    await page.fill("input[name=username]", open.username);
    await page.fill("input[name=password]", open.password);
    await page.click("button[type=submit]");
    await page.waitForURL(base());
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await page.getByRole("link", { name: "Settings", exact: true }).waitFor();
    expect(await page.getByTestId("sign-in").count()).toBe(0);
    noErrors();
  });
});
