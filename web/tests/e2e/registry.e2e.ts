// The model registry end to end (issue 18): a real `wanllmdb server`, data set up through the HTTP API
// (tests/web_e2e/seed_registry.py: the org acme with ana, a member, and ben, an admin and so a reviewer;
// resnet v0 in Production, v1 with a model card), headless Chromium with one browser context each.
// ana finds the registry from the header, reads the model and its v1 (card, links, files) and requests
// Production for v1 → ben hears of it from the bell, approves from the inbox in one click → the
// Production badge moves to v1 on the model page, v0 archived. Then a rejection, which needs a comment.
// Markdown with raw HTML and a javascript: link never becomes markup. Any console error fails the test.
// Screenshots only with $SHOTS_TO_DOCS set: docs/screenshots/registry-<name>.png.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, REPO, seed, type Server, signIn, startServer, watchedPage, WEB_DIST } from "./harness";

const bin = findServerCommand();
const DOCS_SHOTS = process.env.SHOTS_TO_DOCS ? join(REPO, "docs", "screenshots") : null;
if (!bin) console.warn("\n!! WEB E2E SKIPPED (registry): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

interface Seeded {
  entity: string;
  registry: string;
  model: string;
  project: string;
  project_id: string;
  users: Record<"ana" | "ben", { username: string; password: string }>;
}

describe.skipIf(!bin)("model registry: request → notification → approve → the Production badge moves", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let ana: Page;
  let ben: Page;
  const errors: string[] = [];
  const noErrors = () => expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  const shot = async (page: Page, name: string) => {
    if (DOCS_SHOTS) await page.screenshot({ path: join(DOCS_SHOTS, `registry-${name}.png`) });
  };
  const registryPath = () => `/registries/${seeded.entity}/${seeded.registry}`;
  const modelPath = () => `${registryPath()}/${seeded.model}`;
  /** Waits for the answer to the next `method` request whose path ends with `suffix`. */
  const answer = (page: Page, method: string, suffix: string) =>
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(suffix));
  /** The stage badge of each version row on the model page: {v0: "Archived", v1: "Production"}. */
  const stagesOnModelPage = (page: Page) =>
    page.locator('[data-testid="versions"] tr[data-version]').evaluateAll((rows) =>
      Object.fromEntries(rows.map((r) => [r.getAttribute("data-version"), r.querySelector("[data-stage]")?.getAttribute("data-stage")])),
    );

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, "index.html"))) throw new Error(`${WEB_DIST} is not built: run \`npm run build\` first`);
    if (DOCS_SHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });
    server = await startServer(bin!);
    seeded = seed<Seeded>(bin!, server, [], "seed_registry.py");
    browser = await launchChromium();
    ana = await watchedPage(browser, errors);
    ben = await watchedPage(browser, errors);
    for (const page of [ana, ben]) {
      await page.addInitScript(() => {
        const w = window as unknown as { __csp: string[] };
        w.__csp = [];
        document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`));
      });
    }
    await signIn(ana, server, seeded.users.ana);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("lists the registries from the header, and a registry's models with their Production holder and aliases", async () => {
    await ana.getByRole("link", { name: "Registry", exact: true }).click();
    await ana.getByRole("heading", { name: "Registries" }).waitFor();
    await ana.locator(`[data-registry="${seeded.entity}/${seeded.registry}"] a`).click();
    const row = ana.locator(`[data-testid="models"] tr[data-model="${seeded.model}"]`);
    await row.waitFor();
    expect(new URL(ana.url()).pathname).toBe(registryPath());
    expect(await row.locator('[data-cell="Production"] [data-stage]').getAttribute("data-version")).toBe("v0");
    expect(await row.locator('[data-cell="Staging"]').innerText()).toBe("—");
    expect(await row.locator('[data-alias="candidate"]').innerText()).toBe("candidate → v1");
    await shot(ana, "models");

    await ana.getByLabel("Search models").fill("zzz");
    await ana.getByText("No model matches “zzz”").waitFor();
    await ana.getByLabel("Search models").fill("res");
    await row.waitFor();
    noErrors();
  });

  it("shows the model's versions with stage badges and aliases, its markdown description and the stage timeline", async () => {
    await ana.locator(`[data-model="${seeded.model}"] a`, { hasText: seeded.model }).first().click();
    await ana.locator('[data-testid="versions"] tr[data-version="v1"]').waitFor();
    expect(await stagesOnModelPage(ana)).toEqual({ v0: "Production", v1: "Development" });
    expect(await ana.locator('tr[data-version="v1"] [data-alias]').allInnerTexts()).toEqual(["latest", "candidate"]);

    const description = ana.getByTestId("model-description");
    await description.getByRole("heading", { name: "ResNet-50 classifier" }).waitFor();
    expect(await description.locator("strong").innerText()).toBe("vision");
    expect(await description.locator("script").count()).toBe(0); // shown as text, never run
    expect(await description.innerText()).toContain('<script>document.title = "pwned"</script>');
    expect(await description.locator("a", { hasText: "not a link" }).count()).toBe(0);
    expect(await description.locator("a", { hasText: "the paper" }).getAttribute("href")).toBe("https://arxiv.org/abs/1512.03385");

    const timeline = ana.getByTestId("timeline");
    await timeline.locator('[data-kind="stage"]', { hasText: "v0 moved from Development to Production" }).waitFor();
    expect(await timeline.locator('[data-kind="linked"]').count()).toBe(2);
    noErrors();
  });

  it("shows a version's model card, its four links and its files from the artifact browser", async () => {
    await ana.locator('[data-testid="versions"] tr[data-version="v1"]').getByRole("link", { name: "v1", exact: true }).click();
    const card = ana.getByTestId("model-card");
    await card.getByRole("heading", { name: "Intended use" }).waitFor();
    expect(await card.locator("td").allInnerTexts()).toEqual(["top-1", "0.91", "top-5", "0.99"]);
    expect(await card.locator("img").count()).toBe(0);

    const links = ana.getByTestId("version-links");
    const run = links.locator('[data-link="training-run"] a');
    expect(await run.getAttribute("href")).toBe(`/p/${seeded.project_id}/runs/r-train`);
    expect(await links.locator('[data-link="datasets"] a').innerText()).toBe("imagenet-mini:v0");
    expect(await links.locator('[data-link="evaluations"]').innerText()).toContain("top-1 0.91 on the holdout");
    expect(await links.locator('[data-link="deployments"]').innerText()).toBe("none");

    // The training run opens on its project's run page.
    await run.click();
    await ana.waitForURL(`**/${seeded.entity}/${seeded.project}/runs/r-train`);
    await ana.goBack();
    await ana.getByTestId("model-card").waitFor();

    await ana.getByRole("link", { name: "Files", exact: true }).click();
    await ana.locator('[data-testid="file-tree"] [data-file="config.json"]').click();
    await ana.locator('[data-preview="config.json"] pre', { hasText: '"arch": "resnet50"' }).waitFor();
    expect(await ana.locator('[data-testid="file-tree"] [data-file]').evaluateAll((es) => es.map((e) => e.getAttribute("data-file")))).toEqual([
      "config.json",
      "model.bin",
    ]);
    noErrors();
  });

  it("lets a member request Production for the version, with a comment", async () => {
    await ana.getByRole("link", { name: "Overview", exact: true }).click();
    const form = ana.getByRole("form", { name: "Request a move" });
    await form.getByLabel("Requested stage").selectOption("Production");
    await form.getByLabel("Request comment").fill("beats v0 by 3 points on the holdout");
    const made = answer(ana, "POST", "/requests");
    await form.getByRole("button", { name: "Request" }).click();
    expect((await made).status()).toBe(201);
    expect(await ana.getByTestId("request-sent").innerText()).toContain("Requested Production for v1");
    // A member may not move a protected stage directly: no such control is offered.
    expect(await ana.getByRole("form", { name: "Change stage" }).getByRole("option", { name: "Production" }).count()).toBe(0);

    await ana.getByRole("link", { name: "Requests", exact: true }).click();
    const pending = ana.locator('[data-testid="requests"] [data-status="pending"]');
    await pending.waitFor();
    expect(await pending.innerText()).toContain("beats v0 by 3 points");
    expect(await pending.getByRole("button", { name: "Approve" }).count()).toBe(0); // a member does not review
    await pending.getByRole("button", { name: "Cancel request" }).waitFor(); // but may withdraw their own
    noErrors();
  });

  it("tells the reviewer through the bell, whose link opens the version", async () => {
    await signIn(ben, server, seeded.users.ben);
    await expect.poll(async () => Number((await ben.getByTestId("bell-count").textContent()) ?? 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await ben.getByRole("button", { name: /^Notifications/ }).click();
    const item = ben.locator('[data-testid="bell-list"] [data-kind="registry.request.created"]').first();
    await item.waitFor();
    expect(await item.innerText()).toContain("ana asks to move resnet v1");
    const link = item.locator("a");
    expect(await link.getAttribute("href")).toBe(`${modelPath()}/v1`);
    await link.click();
    await ben.getByTestId("model-card").waitFor();
    expect(new URL(ben.url()).pathname).toBe(`${modelPath()}/v1`);
    noErrors();
  });

  it("approves from the inbox in one click, and the Production badge moves to v1", async () => {
    await ben.goto(`${server.url}/registries`);
    await ben.getByRole("link", { name: "Review requests" }).click();
    const request = ben.locator('[data-testid="requests"] [data-status="pending"]');
    await request.waitFor();
    expect(await request.innerText()).toContain("Production for v1");
    await shot(ben, "inbox");
    const approved = answer(ben, "POST", "/approve");
    await request.getByRole("button", { name: "Approve" }).click();
    expect((await approved).status()).toBe(200);
    await ben.getByText("Nothing to review").waitFor();

    await ana.goto(`${server.url}${modelPath()}`);
    await ana.locator('[data-testid="versions"] tr[data-version="v1"]').waitFor();
    expect(await stagesOnModelPage(ana)).toEqual({ v0: "Archived", v1: "Production" });
    await ana.getByTestId("timeline").locator('[data-kind="request"]', { hasText: "request of Production for v1 approved" }).waitFor();
    await shot(ana, "model");
    await ana.goto(`${server.url}${registryPath()}`);
    const holder = ana.locator(`tr[data-model="${seeded.model}"] [data-cell="Production"] [data-stage]`);
    await expect.poll(() => holder.getAttribute("data-version")).toBe("v1");
    noErrors();
  });

  it("refuses a rejection without a comment: the button waits for one", async () => {
    await ana.goto(`${server.url}${modelPath()}/v0`);
    const form = ana.getByRole("form", { name: "Request a move" });
    await form.getByLabel("Requested stage").selectOption("Staging");
    await form.getByLabel("Request comment").fill("bring it back for an A/B test");
    await form.getByRole("button", { name: "Request" }).click();
    await ana.getByTestId("request-sent").waitFor();

    await ben.reload(); // the inbox polls too; a reload shows it at once
    const request = ben.locator('[data-testid="requests"] [data-status="pending"]');
    await request.waitFor();
    const reject = request.getByRole("button", { name: "Reject" });
    expect(await reject.isDisabled()).toBe(true);
    await request.getByRole("textbox").fill("v0 is archived for a reason: the holdout regression");
    expect(await reject.isDisabled()).toBe(false);
    const rejected = answer(ben, "POST", "/reject");
    await reject.click();
    expect((await rejected).status()).toBe(200);
    await ben.getByText("Nothing to review").waitFor();

    await ana.getByRole("link", { name: "Requests", exact: true }).click();
    const closed = ana.locator('[data-testid="requests"] [data-status="rejected"]');
    await closed.waitFor();
    expect(await closed.innerText()).toContain("the holdout regression");
    await ana.goto(`${server.url}${modelPath()}/v1`);
    await ana.getByTestId("version-actions").waitFor();
    await shot(ana, "version");

    for (const page of [ana, ben]) {
      expect(await page.evaluate(() => document.title)).not.toBe("pwned");
      expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    }
    noErrors();
  });
});
