// The admin journey end to end (issue 17): a real `wanllmdb server`, headless Chromium. The local admin
// creates an organization, invites a member (who opens the invitation link in their own browser and
// signs up), changes their role, creates a team and a custom role, creates a read-only key whose
// secret is shown once and then revokes it, reads the activity feed, watches a project and hears from
// the bell when runs crash through the real SDK. Any console error fails the test.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Server, SHOTS, signIn, startServer, watchedPage, WEB } from "./harness";

const bin = findServerCommand();
if (!bin) {
  console.warn("\n" + "!".repeat(78) + "\n!! WEB E2E SKIPPED: no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n" + "!".repeat(78) + "\n");
}

interface Crashed {
  entity: string;
  project: string;
  runs: { id: string; state: string }[];
}

describe.skipIf(!bin)("admin settings and the notification bell against a real local server", () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let adminKey: string;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `admin-${name}.png`), fullPage: true });
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  /** The API as a script sees it, with the given key (the admin's by default). */
  const call = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? "GET",
      headers: { Authorization: `Bearer ${init.key ?? adminKey}`, "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const crash = (runs: number) =>
    seed<Crashed>(bin!, server, ["--entity", "acme", "--project", "vision", "--runs", String(runs)], "seed_crash.py");
  /** Waits for the answer to the next `method` request whose path ends with `suffix`. */
  const answer = (method: string, suffix: string) =>
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(suffix));

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer(bin!);
    adminKey = readFileSync(server.adminKeyPath, "utf8").trim();
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
    page.on("dialog", (d) => void d.accept()); // the confirm() before a revoke or a removal
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("creates an organization and invites a member, who joins through the invitation link once", async () => {
    await signIn(page, server, { username: "admin", password: adminKey });
    await page.getByRole("link", { name: "Organization" }).click();
    await page.getByRole("heading", { name: "Organization settings" }).waitFor();
    await page.getByText("You belong to no organization yet").waitFor();
    await page.locator("summary", { hasText: "New organization" }).click();
    await page.getByLabel("New organization name").fill("acme");
    await page.getByLabel("New organization display name").fill("Acme Research");
    await page.getByRole("button", { name: "Create organization" }).click();
    await expect.poll(() => page.getByTestId("org-name").textContent()).toBe("acme");
    await page.getByLabel("Organization display name", { exact: true }).fill("Acme Labs");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("heading", { name: "Acme Labs" }).waitFor();

    await page.getByLabel("Invitee email").fill("kim@example.com");
    await page.getByLabel("Role for the invitee").selectOption("member");
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const link = (await page.getByTestId("new-invitation-link").textContent())?.trim() ?? "";
    expect(link).toMatch(new RegExp(`^${server.url}/join\\?invitation=wli_`));
    await page.getByTestId("invitations-table").getByText("kim@example.com").waitFor();

    // The invitee opens the link in their own browser and picks a username and password.
    const context = await browser.newContext();
    const invitee = await context.newPage();
    const inviteeErrors: string[] = [];
    invitee.on("console", (m) => {
      if (m.type() === "error") inviteeErrors.push(m.text());
    });
    try {
      await invitee.goto(link);
      await invitee.getByRole("heading", { name: "Join" }).waitFor();
      await invitee.fill("input[name=username]", "kim");
      await invitee.fill("input[name=password]", "correct horse battery");
      await invitee.getByRole("button", { name: "Create account" }).click();
      await invitee.getByRole("heading", { name: "Projects" }).waitFor();
      // The link worked once: a second account from it is refused, with the server's reason shown.
      await context.clearCookies();
      await invitee.goto(link);
      await invitee.fill("input[name=username]", "kim2");
      await invitee.fill("input[name=password]", "correct horse battery");
      await invitee.getByRole("button", { name: "Create account" }).click();
      await invitee.getByRole("alert").waitFor();
    } finally {
      await context.close();
    }
    expect(inviteeErrors.filter((e) => !e.includes("status of 403"))).toEqual([]);
    await page.reload();
    await page.locator('[data-member="kim"]').waitFor();
    expect(await page.getByTestId("new-invitation").count()).toBe(0); // the link is shown once
    expect(await page.getByTestId("invitations-table").count()).toBe(0); // it was used up
    noErrors();
  });

  it("changes the member's role, creates a team with them in it, and a custom role from the permission list", async () => {
    const changed = answer("PATCH", "/members/kim");
    await page.getByLabel("Role of kim").selectOption("viewer");
    expect((await changed).status()).toBe(200);

    await page.getByLabel("New team name").fill("research");
    await page.getByRole("button", { name: "Create team" }).click();
    const team = page.locator('[data-team="research"]');
    await team.waitFor();
    await page.getByLabel("Username to add to research").fill("kim");
    await team.getByRole("button", { name: "Add to team" }).click();
    await team.locator('[data-team-member="kim"]').waitFor();

    await page.getByLabel("New role name").fill("reviewer");
    await page.getByLabel("New role description").fill("reads runs, writes reports");
    const grid = page.locator("fieldset.permission-grid");
    expect(await grid.locator("label").count()).toBeGreaterThan(5); // the server's list, not a hard-coded few
    for (const p of ["org:read", "project:read", "run:read", "report:write"]) await grid.locator("label", { hasText: p }).locator("input").check();
    await page.getByRole("button", { name: "Create role" }).click();
    const role = page.locator('[data-role="reviewer"]');
    await role.waitFor();
    expect(await role.textContent()).toContain("org:read, project:read, report:write, run:read");

    // The custom role is assignable at once.
    const assigned = answer("PATCH", "/members/kim");
    await page.getByLabel("Role of kim").selectOption("reviewer");
    expect((await assigned).status()).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByLabel("Role of kim").inputValue()).toBe("reviewer");
    await page.locator('[data-team="research"] [data-team-member="kim"]').waitFor(); // still in the team after a reload
    await shot("org");
    noErrors();
  });

  it("creates a read-only key whose secret is shown once, sees its last use, and revokes it", async () => {
    await page.getByLabel("New key name").fill("ci-bot");
    await page.getByLabel("Key scope").selectOption("read");
    await page.getByLabel("Key expiry").selectOption({ label: "Expires in 30 days" });
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("new-key-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^wl_/);
    const row = page.locator("[data-key-id]", { hasText: "ci-bot" });
    await row.waitFor();
    expect(await row.textContent()).toContain("read-only");

    expect((await call("/api/keys", { key: secret })).status).toBe(200); // it reads
    const write = await call("/api/keys", { method: "POST", key: secret, body: { name: "escalate", scope: "all" } });
    expect(write.status).toBe(403); // and may not write
    await page.reload();
    await row.waitFor();
    expect(await page.getByTestId("new-key").count()).toBe(0);
    expect(await page.content()).not.toContain(secret); // never shown again
    expect(await row.getByTestId("key-last-used").textContent()).not.toBe("never");

    await row.getByRole("button", { name: "Revoke ci-bot" }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await call("/api/keys", { key: secret })).status).toBe(401);
    noErrors();
  });

  it("refuses a webhook to a loopback address and shows the server's reason", async () => {
    await page.getByRole("link", { name: "admin", exact: true }).click();
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    await page.getByLabel("Webhook URL").fill("https://127.0.0.1/hook");
    const refused = answer("POST", "/api/webhooks");
    await page.getByRole("button", { name: "Add webhook" }).click();
    expect((await refused).status()).toBe(400);
    const banner = page.getByRole("alert");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("resolves to 127.0.0.1, a private, loopback or link-local address");
    expect(await banner.getAttribute("data-field")).toBe("url");
    // The browser logs the 400 it was shown; that one is expected, nothing else.
    expect(errors.splice(0).filter((e) => !e.includes("status of 400"))).toEqual([]);
    expect(await page.getByTestId("new-webhook").count()).toBe(0);
    await page.getByRole("link", { name: "Organization settings" }).click();
    await page.getByRole("heading", { name: "Organization settings" }).waitFor();
  });

  it("shows the organization's activity feed, each line linking to its object", async () => {
    await page.reload();
    const feed = page.getByTestId("activity-list");
    await feed.locator('[data-kind="team.created"]').waitFor();
    expect(await feed.locator('[data-kind="org.updated"]').count()).toBe(1);
    expect(await feed.locator('[data-kind="member.role_changed"]').count()).toBe(2);
    expect(await feed.locator('[data-kind="team.member_added"]').count()).toBe(1);
    await page.getByLabel("Filter by kind").selectOption("team.");
    await expect.poll(() => feed.locator("li").count()).toBe(2);
    await page.getByLabel("Filter by actor").fill("nobody");
    await page.getByText("No activity matches").waitFor();
    noErrors();
  });

  it("rings the bell when a watched project's run crashes, and links to the run", async () => {
    expect((await call("/api/projects", { method: "POST", body: { name: "vision", entity: "acme" } })).status).toBe(201);
    expect((await call("/api/projects", { method: "POST", body: { name: "scratch" } })).status).toBe(201);

    await page.goto(`${server.url}/acme/vision/settings`);
    await page.getByRole("heading", { name: "Project settings" }).waitFor();
    const watched = answer("PUT", "/subscription");
    const crashed = page.getByRole("group", { name: "Notify me about" }).getByLabel("A run crashed");
    // A click, not check(): the box follows the saved subscription, which on a loaded box may show
    // after check()'s own look at it.
    await crashed.click();
    expect((await watched).status()).toBe(200);
    await expect.poll(() => crashed.isChecked()).toBe(true);
    expect(await page.getByTestId("bell-count").count()).toBe(0);

    const first = crash(1);
    expect(first.runs.map((r) => r.state)).toEqual(["crashed"]);
    // The bell polls: the count shows up without a reload.
    await expect.poll(() => page.getByTestId("bell-count").textContent(), { timeout: 40_000 }).toBe("1");
    await page.getByRole("button", { name: "Notifications, 1 unread" }).click();
    const item = page.getByTestId("bell-list").locator('[data-kind="run_crashed"]');
    expect(await item.textContent()).toContain(`Run doomed (${first.runs[0].id}) crashed`); // named, as people know it
    await shot("bell");
    await item.getByRole("button", { name: /^Mark .* read$/ }).click();
    await expect.poll(() => page.getByTestId("bell-count").count()).toBe(0);
    expect(await item.getAttribute("data-read")).toBe("true");

    const next = crash(2);
    expect(next.runs.map((r) => r.state)).toEqual(["crashed", "crashed"]);
    await page.reload();
    await expect.poll(() => page.getByTestId("bell-count").textContent(), { timeout: 40_000 }).toBe("2");
    await page.getByRole("button", { name: "Notifications, 2 unread" }).click();
    await page.getByRole("button", { name: "Mark all read" }).click();
    await expect.poll(() => page.getByTestId("bell-count").count()).toBe(0);

    // Each notification links to its object: the run page, under the project's names.
    const run = next.runs[1].id;
    await page.getByTestId("bell-list").getByRole("link", { name: `Run doomed (${run}) crashed` }).click();
    await page.waitForURL(`**/acme/vision/runs/${run}`);
    await page.getByText("crashed").first().waitFor();
    noErrors();
  });

  it("edits the project's details, tells personal and team projects apart, and shows the outbox", async () => {
    await page.goto(`${server.url}/acme/vision/settings`);
    await page.getByLabel("Description").fill("Vision models");
    await page.getByLabel("Tags (comma-separated)").fill("cv, baseline");
    await page.getByLabel("Visibility").selectOption("public");
    const saved = answer("PATCH", "/api/projects/" + (await projectId("acme", "vision")));
    await page.getByRole("button", { name: "Save" }).click();
    expect((await saved).status()).toBe(200);
    const stored = (await (await call(`/api/projects/by-name/acme/vision`)).json()) as { description: string; tags: string[]; visibility: string };
    expect(stored).toMatchObject({ description: "Vision models", tags: ["cv", "baseline"], visibility: "public" });
    await page.getByTestId("project-members").getByText("kim").waitFor();
    await page.getByTestId("activity-list").locator('[data-kind="run.created"]').first().waitFor();

    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Projects" }).waitFor();
    const kindOf = (name: string) => page.locator("tr", { hasText: name }).locator("[data-owner-kind]").getAttribute("data-owner-kind");
    expect(await kindOf("acme/vision")).toBe("org");
    expect(await kindOf("admin/scratch")).toBe("user");
    await shot("projects");

    await page.getByRole("button", { name: "Notifications" }).click();
    await page.getByRole("dialog", { name: "Notifications" }).getByRole("link", { name: "Email outbox" }).click();
    await page.getByRole("heading", { name: "Email outbox" }).waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    noErrors();
  });

  it("deletes a project only after its full name is typed, and restores it", async () => {
    await page.goto(`${server.url}/admin/scratch/settings`);
    const confirm = page.getByLabel("Type the project's full name to confirm");
    const button = page.getByRole("button", { name: "Delete this project" });
    await confirm.fill("scratch");
    expect(await button.isDisabled()).toBe(true);
    await confirm.fill("admin/scratch");
    const deleted = answer("DELETE", `/api/projects/${await projectId("admin", "scratch")}`);
    await button.click();
    expect((await deleted).status()).toBe(202);
    await page.getByTestId("deletion").waitFor();
    expect((await call("/api/projects/by-name/admin/scratch")).status).toBe(404);

    await page.getByRole("button", { name: "Restore project" }).click();
    await page.getByText("Restored.").waitFor();
    expect((await call("/api/projects/by-name/admin/scratch")).status).toBe(200);
    noErrors();
  });

  it("shows the settings read-only to a member whose role may only read", async () => {
    const context = await browser.newContext();
    const kim = await context.newPage();
    const kimErrors: string[] = [];
    kim.on("console", (m) => {
      if (m.type() === "error") kimErrors.push(m.text());
    });
    try {
      await signIn(kim, server, { username: "kim", password: "correct horse battery" });
      await kim.goto(`${server.url}/acme/vision/settings`);
      await kim.getByText("You may read this project but not change it.").waitFor();
      expect(await kim.getByLabel("Description").isDisabled()).toBe(true);
      expect(await kim.getByRole("heading", { name: "Resource grants" }).count()).toBe(0);
      expect(await kim.getByRole("heading", { name: "Delete project" }).count()).toBe(0);
    } finally {
      await context.close();
    }
    expect(kimErrors).toEqual([]);
  });

  async function projectId(entity: string, name: string): Promise<string> {
    return ((await (await call(`/api/projects/by-name/${entity}/${name}`)).json()) as { id: string }).id;
  }
});
