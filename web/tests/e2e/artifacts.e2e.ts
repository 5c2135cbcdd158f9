// The artifact browser end to end: a real server, versions logged through the HTTP contract
// (tests/web_e2e/seed_artifacts.py), headless Chromium. Collections by type → versions → a version's
// metadata and aliases (the server's refusal of `latest` shown) → the file tree and previews (text,
// image, SVG, CSV and Parquet heads; user content never becomes the dashboard's markup) → the diff
// of a one-file change → the lineage graph through both runs (dagre loaded only then) → the run
// page's used and logged artifacts → a 20,000-file version's tree and flat list, timed.
// Screenshots only with $SHOTS_TO_DOCS set: docs/screenshots/artifacts-<name>.png.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, REPO, seed, type Seeded, type Server, signIn, startServer, watchedPage, WEB } from "./harness";

const bin = findServerCommand();
const DOCS_SHOTS = process.env.SHOTS_TO_DOCS ? join(REPO, "docs", "screenshots") : null;
if (!bin) console.warn("\n!! WEB E2E SKIPPED (artifacts): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

describe.skipIf(!bin)("artifact browser against a real local server", () => {
  let server: Server;
  let seeded: Seeded & { big: number };
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const scripts: string[] = [];
  const shot = async (name: string) => {
    if (DOCS_SHOTS) await page.screenshot({ path: join(DOCS_SHOTS, `artifacts-${name}.png`) });
  };
  const base = () => `${server.url}/${seeded.entity}/${seeded.project}`;
  const tree = '[data-testid="file-tree"]';
  const preview = (path: string) => page.locator(`[data-preview="${path}"]`);

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    if (DOCS_SHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });
    server = await startServer(bin!);
    seeded = seed(bin!, server, [], "seed_artifacts.py") as Seeded & { big: number };
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
    page.on("request", (r) => {
      if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
    });
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`));
    });
    await signIn(page, server, seeded);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("lists the project's collections by type from the project navigation", async () => {
    await page.goto(base());
    await page.locator("nav.crumbs a.tab", { hasText: "Artifacts" }).click();
    await page.getByRole("heading", { name: "Artifacts" }).waitFor();
    const types = await page.locator(".art-collections section").evaluateAll((els) => els.map((e) => e.getAttribute("data-type")));
    expect(types).toEqual(["dataset", "model"]);
    expect(await page.locator('[data-type="dataset"] [data-collection]').allInnerTexts()).toEqual(["big\n1 version", "dataset\n2 versions"]);
  });

  it("shows a collection's versions with aliases, files, size and the logging run", async () => {
    await page.locator('[data-collection="dataset"]').click();
    const v1 = page.locator('[data-testid="versions"] tr[data-version="v1"]');
    await v1.waitFor();
    expect(await page.locator('[data-testid="versions"] tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute("data-version")))).toEqual(["v1", "v0"]);
    const cells = await v1.locator("td").allInnerTexts();
    expect(cells[1]).toContain("latest");
    expect(cells[1]).toContain("best");
    expect(cells[2]).toBe("6");
    expect(await v1.locator("td").nth(5).locator("a").getAttribute("href")).toBe(`/${seeded.entity}/${seeded.project}/runs/r-producer`);
    await shot("versions");
  });

  it("shows a version's metadata and description, and edits its aliases with the server's refusals", async () => {
    await page.locator('[data-testid="versions"] tr[data-version="v1"] a', { hasText: "v1" }).click();
    await page.locator('[data-testid="version-facts"]').waitFor();
    expect(await page.locator('[data-testid="description"]').innerText()).toBe("Labels, a table and images for the browser test.");
    expect(await page.locator(".art-metadata .tree-key").allInnerTexts()).toEqual(expect.arrayContaining(["source", "split", "train", "classes"]));
    await page.locator('[data-testid="version-runs"] a', { hasText: "r-consumer" }).waitFor();
    const aliases = page.locator('[data-testid="aliases"]');
    await aliases.getByLabel("New alias").fill("latest");
    await aliases.getByRole("button", { name: "Add alias" }).click();
    const refusal = aliases.locator('.error-banner[data-field="add"]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/'latest' is set by the server/);
    // The browser logs the refused request (400) as a console error; it is the answer this step wants.
    const refused = errors.findIndex((e) => /status of 400/.test(e));
    expect(refused).toBeGreaterThanOrEqual(0);
    errors.splice(refused, 1);
    await aliases.getByLabel("New alias").fill("candidate");
    await aliases.getByRole("button", { name: "Add alias" }).click();
    await aliases.locator('[data-alias="candidate"]').waitFor();
    expect(await refusal.count()).toBe(0);
    await aliases.getByRole("button", { name: "Remove alias candidate" }).click();
    await aliases.locator('[data-alias="candidate"]').waitFor({ state: "detached" });
    await shot("version");
  });

  it("browses the file tree and previews text as text, never as markup", async () => {
    await page.locator("nav.tabs a", { hasText: "Files" }).click();
    await page.locator(`${tree} [data-folder="data/"]`).waitFor();
    expect(await page.locator(`${tree} .art-node`).evaluateAll((ns) => ns.map((n) => n.getAttribute("data-folder") ?? n.getAttribute("data-file")))).toEqual([
      "README.md",
      "data/",
      "images/",
      "notes/",
    ]);
    await page.locator(`${tree} [data-file="README.md"]`).click();
    const text = preview("README.md").locator('[data-testid="preview-text"]');
    await text.waitFor();
    expect(await text.innerText()).toContain("<b>not bold</b> is shown as text.");
    expect(await text.locator("b").count()).toBe(0);
    expect(new URL(page.url()).searchParams.get("path")).toBe("README.md");
  });

  it("previews an image and an SVG as <img>, the SVG's script never running", async () => {
    await page.locator(`${tree} [data-folder="images/"]`).click();
    await page.locator(`${tree} [data-file="images/red.png"]`).click();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-preview="images/red.png"] img');
      return !!img && img.complete && img.naturalWidth === 32;
    });
    // A packed file: its own bytes cut out of the pack (a blob: URL, 32 px wide above), never the
    // pack's URL; its download link is the same bytes, not the whole pack.
    const shown = await page.locator('[data-preview="images/red.png"] img').getAttribute("src");
    expect(shown).toMatch(/^blob:/);
    const save = preview("images/red.png").locator("a[download]");
    await save.waitFor();
    expect(await save.getAttribute("href")).toMatch(/^blob:/);
    await page.locator(`${tree} [data-file="images/logo.svg"]`).click();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-preview="images/logo.svg"] img');
      return !!img && img.complete && img.naturalWidth === 40;
    });
    expect(await page.locator('[data-preview="images/logo.svg"] img').getAttribute("src")).toMatch(/^blob:/);
    expect(await page.title()).toBe("wanLLMDB");
    await shot("preview-image");
  });

  it("previews the heads of a CSV and a Parquet file, the Parquet reader loaded only then", async () => {
    await page.locator(`${tree} [data-folder="data/"]`).click();
    await page.locator(`${tree} [data-file="data/labels.csv"]`).click();
    const csv = preview("data/labels.csv").locator('[data-testid="preview-table"]');
    await csv.waitFor();
    expect(await csv.locator("th").allInnerTexts()).toEqual(["id", "label", "note"]);
    expect(await csv.locator("tbody tr").count()).toBe(3);
    expect(await csv.locator("tbody tr").first().locator("td").allInnerTexts()).toEqual(["1", "cat", "a, quoted"]);
    expect(scripts.some((s) => /ParquetPreview-/.test(s))).toBe(false);
    await page.locator(`${tree} [data-file="data/table.parquet"]`).click();
    const pq = preview("data/table.parquet").locator('[data-testid="preview-table"]');
    await pq.waitFor();
    expect(scripts.some((s) => /ParquetPreview-/.test(s))).toBe(true);
    expect(await pq.locator("th").allInnerTexts()).toEqual(["id", "label", "score"]);
    expect(await pq.locator("tbody tr").count()).toBe(50);
    expect(await pq.locator("tbody tr").nth(4).locator("td").allInnerTexts()).toEqual(["4", "class-1", "0.02"]);
    expect(await preview("data/table.parquet").innerText()).toContain("200 rows, 3 columns; the first 50.");
    await shot("preview-parquet");
  });

  it("diffs two versions: one file changed, with its sizes and the counts", async () => {
    await page.locator("nav.tabs a", { hasText: "Diff" }).click();
    const counts = page.locator('[data-testid="diff-counts"]');
    await counts.waitFor();
    expect(await counts.locator('[data-count="changed"]').innerText()).toBe("1 changed");
    expect(await counts.locator('[data-count="added"]').innerText()).toBe("0 added");
    expect(await page.getByLabel("From version").inputValue()).toBe("v0");
    expect(await page.getByLabel("To version").inputValue()).toBe("v1");
    const row = page.locator('[data-testid="diff-groups"] tr[data-diff="notes/a.txt"]');
    expect(await row.locator("td").allInnerTexts()).toEqual(["notes/a.txt", "11 B", "20 B", "+9 B"]);
    // Swapping the two reads the same change backwards.
    await page.getByLabel("From version").selectOption("v1");
    await page.getByLabel("To version").selectOption("v0");
    await page.locator('[data-testid="diff-groups"] tr[data-diff="notes/a.txt"] td', { hasText: "-9 B" }).waitFor();
    await shot("diff");
  });

  it("draws the lineage DAG through both runs, dagre loaded only for it, nodes linking to their pages", async () => {
    expect(scripts.some((s) => /LineageTab-/.test(s))).toBe(false);
    await page.locator("nav.tabs a", { hasText: "Lineage" }).click();
    const graph = page.locator('[data-testid="lineage-graph"]');
    await graph.waitFor();
    expect(scripts.some((s) => /LineageTab-/.test(s))).toBe(true);
    const nodes = await graph.locator("[data-node]").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-node")!));
    // Artifact ids are <project id>:<name>:vN; runs run:<id>.
    const named = nodes.map((id) => (id.startsWith("run:") ? id : id.split(":").slice(1).join(":")));
    expect(named.sort()).toEqual(["dataset:v0", "dataset:v1", "model:v0", "run:r-consumer", "run:r-producer"].sort());
    // Run nodes show the runs' names, once the runs are read.
    await graph.locator('[data-node="run:r-consumer"] text', { hasText: "consumer" }).waitFor();
    expect(await graph.locator("[data-edge]").count()).toBe(4);
    const x = async (id: string) => (await graph.locator(`[data-node="${id}"]`).boundingBox())!.x;
    expect(await x("run:r-producer")).toBeLessThan(await x("run:r-consumer"));
    await shot("lineage");
    await graph.getByRole("link", { name: "run consumer" }).click();
    await page.waitForURL(/\/runs\/r-consumer$/);
  });

  it("lists what a run used and logged on its page, linking to the versions", async () => {
    await page.locator("nav.tabs a", { hasText: "Artifacts" }).click();
    const used = page.locator('[data-testid="run-used"]');
    await used.waitFor();
    expect(await used.locator("a").allInnerTexts()).toEqual(["dataset:v1"]);
    expect(await page.locator('[data-testid="run-logged"] a').allInnerTexts()).toEqual(["model:v0"]);
    await shot("run");
    await used.locator("a", { hasText: "dataset:v1" }).click();
    await page.locator('[data-testid="version-facts"]').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/${seeded.entity}/${seeded.project}/artifacts/dataset/v1`);
  });

  it("opens a 20,000-file version's tree a folder at a time, and scrolls its flat list to the end", async () => {
    const t0 = Date.now();
    await page.goto(`${base()}/artifacts/big/v0/files`);
    await page.locator(`${tree} [data-folder="images/"]`).waitFor();
    const toRoot = Date.now() - t0;
    expect(await page.locator(`${tree} [data-folder="images/"]`).innerText()).toContain("20,000");
    const t1 = Date.now();
    await page.locator(`${tree} [data-folder="images/"]`).click();
    await page.locator(`${tree} [data-folder="images/class-00/"]`).waitFor();
    const toFirstFolder = Date.now() - t1;
    await page.locator(`${tree} [data-folder="images/class-19/"]`).waitFor({ timeout: 60_000 });
    const toAllFolders = Date.now() - t1;
    expect(await page.locator(`${tree} [data-folder^="images/class-"]`).count()).toBe(20);
    expect(await page.locator(`${tree} [data-folder="images/class-07/"]`).innerText()).toContain("1,000");
    // Open the last folder and scroll to its end: pages of it load as they come into view.
    const t2 = Date.now();
    await page.locator(`${tree} [data-folder="images/class-19/"]`).click();
    await page.locator(`${tree} [data-file="images/class-19/img-19000.txt"]`).waitFor();
    const toFiles = Date.now() - t2;
    const domRows = await page.locator(`${tree} .art-row`).count();
    expect(domRows, "rows in the DOM (virtualized)").toBeLessThan(120);
    await page.locator(tree).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.locator(`${tree} [data-file="images/class-19/img-19999.txt"]`).waitFor();
    await page.locator(`${tree} [data-file="images/class-19/img-19999.txt"]`).click();
    await preview("images/class-19/img-19999.txt").locator('[data-testid="preview-text"]', { hasText: "sample 49" }).waitFor();
    // The flat list: every entry as one list, any page read where it is scrolled to.
    const t3 = Date.now();
    await page.getByRole("button", { name: "List" }).click();
    const list = page.locator('[data-testid="file-list"]');
    await list.locator('[data-file="images/class-00/img-00000.txt"]').waitFor();
    await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await list.locator('[data-file="images/class-19/img-19999.txt"]').waitFor();
    const toListEnd = Date.now() - t3;
    console.log(
      `20k-file tree: root ${toRoot} ms, images/ opened: first folder ${toFirstFolder} ms, all 20 ${toAllFolders} ms; ` +
        `class-19's first files ${toFiles} ms; flat list to its last entry ${toListEnd} ms`,
    );
    await shot("tree-20k");
  });

  it("logged no console errors and no CSP refusals", async () => {
    const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect(csp).toEqual([]);
    expect(errors, `console errors:\n${errors.join("\n")}`).toEqual([]);
  });
});
