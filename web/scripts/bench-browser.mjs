// Browser half of benchmarks/web.py: drives headless Chromium against a seeded local server and
// prints one JSON line of timings. Each figure has a baseline measured in the same page: the
// same API calls made with bare fetch(), so the ratio is what the UI adds on top of the data.
import { chromium } from "playwright-core";

const [url, token, username, password, entity, project, runIdsCsv, tableEntity, tableProject, tableProjectId] =
  process.argv.slice(2);
const runIds = runIdsCsv ? runIdsCsv.split(",") : [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
// Signs in through the login form, as a user would: the session is an HttpOnly cookie that no
// script could plant. The bare-fetch baselines below use `token` as a Bearer header.
await page.goto(`${url}/login`);
await page.fill("input[name=username]", username);
await page.fill("input[name=password]", password);
await page.click("button[type=submit]");
await page.getByRole("heading", { name: "Projects" }).waitFor();
const out = { errors };
// The renderer's main-thread busy time (CDP TaskDuration), to tell what the page itself costs
// from waiting on the server: both share this machine's cores while a benchmark runs.
const cdp = await page.context().newCDPSession(page);
await cdp.send("Performance.enable");
const busy = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value * 1000;

// Workspace: 50 panels x N runs in sections of 10 (s0..s4), each section drawn from one batch request
// (GET /projects/{id}/metrics/batch, Arrow) made while the section is on screen. Measured, each in a
// fresh browser context (an empty HTTP cache, so nothing comes from the immutable answers of a
// previous visit):
// - first screen: navigation until every panel of the first section has drawn every run;
// - scrolled: the same, then each next section scrolled to as soon as the one above has drawn,
//   until all 50 panels have;
// - tall window: a window tall enough for all five sections, so all 50 load at once;
// - reload: the tall window again in the same context, answers from the browser's cache.
// Baseline, in the same page: the same batch requests with bare fetch() (the first section's alone,
// and all five at once), so each ratio is what the UI adds on top of the data. The server caches
// decoded lake objects, so the baseline runs once first, to warm that cache for both sides.
const ARROW = "application/vnd.apache.arrow.stream";
const projectRef = `${entity}:${project}`;
const bareBatchFetch = (target, sections = null, accept = ARROW) =>
  target.evaluate(
    async ([ids, tok, pid, accept, only]) => {
      const h = { Authorization: `Bearer ${tok}` };
      const keys = (await fetch(`/api/runs/${ids[0]}/metric-keys?stream=history`, { headers: h }).then((r) => r.json())).keys.filter((x) => !x.startsWith("_"));
      const bySection = new Map();
      for (const k of keys) {
        const s = k.includes("/") ? k.slice(0, k.indexOf("/")) : "Charts";
        bySection.set(s, [...(bySection.get(s) ?? []), k]);
      }
      const asked = [...bySection.entries()].sort().slice(0, only ?? undefined);
      const t = performance.now();
      let bytes = 0;
      await Promise.all(
        asked.map(([, ks]) => {
          const q = new URLSearchParams({ runs: ids.join(","), buckets: "1000", x: "step", stream: "history", fields: "x0,x1,min,max,mean" });
          for (const k of ks) q.append("keys", k);
          return fetch(`/api/projects/${encodeURIComponent(pid)}/metrics/batch?${q}`, { headers: { ...h, Accept: accept }, cache: "no-store" })
            .then((r) => r.arrayBuffer())
            .then((b) => (bytes += b.byteLength));
        }),
      );
      return { ms: performance.now() - t, bytes, requests: asked.length };
    },
    [runIds, token, projectRef, accept, sections],
  );
// The path the workspace took before batch requests: one GET /runs/{id}/metrics per run per 40 keys.
const barePerRunFetch = () =>
  page.evaluate(
    async ([ids, tok]) => {
      const h = { headers: { Authorization: `Bearer ${tok}` } };
      const keys = await fetch(`/api/runs/${ids[0]}/metric-keys?stream=history`, h).then((r) => r.json());
      const k = keys.keys.filter((x) => !x.startsWith("_"));
      const t = performance.now();
      await Promise.all(
        ids.flatMap((id) => {
          const groups = [];
          for (let i = 0; i < k.length; i += 40) groups.push(k.slice(i, i + 40));
          return groups.map((g) =>
            fetch(`/api/runs/${id}/metrics?keys=${encodeURIComponent(g.join(","))}&x=step&buckets=1000&stream=history`, h).then((r) => r.json()),
          );
        }),
      );
      return performance.now() - t;
    },
    [runIds, token],
  );
const sectionDrawn = (p, section, n) =>
  p.evaluate(
    ([section, n]) => {
      const panels = [...document.querySelectorAll(`[data-section="${section}"] .metric-panel`)];
      return panels.length > 0 && panels.every((el) => Number(el.getAttribute("data-loaded")) === n && el.querySelector(".uplot[data-drawn]"));
    },
    [section, n],
  );
const allDrawn = (n) => {
  const ps = [...document.querySelectorAll(".metric-panel")];
  return ps.length >= 50 && ps.every((p) => Number(p.getAttribute("data-loaded")) === n && p.querySelector(".uplot[data-drawn]"));
};
const state = await page.context().storageState();
const freshPage = async (viewport) => {
  const context = await browser.newContext({ viewport, storageState: state });
  const p = await context.newPage();
  p.on("pageerror", (e) => errors.push(e.message));
  return p;
};
const workspaceUrl = `${url}/${entity}/${project}/workspace?runs=${runIds.join(",")}`;
if (runIds.length) {
  const n = runIds.length;
  out.workspace_cold_fetch = await bareBatchFetch(page);
  // First screen, then scrolled through every section.
  let p = await freshPage({ width: 1600, height: 1000 });
  // The renderer's main-thread busy time of this page, as for the table below.
  const sessionCdp = await p.context().newCDPSession(p);
  await sessionCdp.send("Performance.enable");
  const busyOf = async () => (await sessionCdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value * 1000;
  const b0 = await busyOf();
  let t0 = Date.now();
  await p.goto(workspaceUrl);
  await p.locator('[data-section="s0"] .metric-panel').first().waitFor({ timeout: 300_000 });
  await p.waitForFunction(([s, n]) => {
    const panels = [...document.querySelectorAll(`[data-section="${s}"] .metric-panel`)];
    return panels.length > 0 && panels.every((el) => Number(el.getAttribute("data-loaded")) === n && el.querySelector(".uplot[data-drawn]"));
  }, ["s0", n], { timeout: 300_000, polling: 50 });
  out.workspace_first_screen_ms = Date.now() - t0;
  // Where the first screen's time went: the page's own load, then each API request (start and end,
  // ms since navigation), so a chain of requests waiting on one another shows.
  out.workspace_first_screen_waterfall = await p.evaluate(() => [
    ...performance.getEntriesByType("navigation").map((e) => ({ what: "page", start: 0, end: Math.round(e.domContentLoadedEventEnd) })),
    ...performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/") || e.name.endsWith(".js"))
      .map((e) => ({ what: e.name.replace(/^https?:\/\/[^/]+/, "").slice(0, 90), start: Math.round(e.startTime), end: Math.round(e.responseEnd) })),
  ]);
  const sections = await p.locator("[data-section]").evaluateAll((els) => els.map((e) => e.getAttribute("data-section")));
  for (const s of sections.slice(1)) {
    await p.locator(`[data-section="${s}"]`).scrollIntoViewIfNeeded();
    for (const deadline = Date.now() + 300_000; !(await sectionDrawn(p, s, n)); ) {
      if (Date.now() > deadline) throw new Error(`section ${s} never drew`);
      await p.waitForTimeout(50);
    }
  }
  out.workspace_scrolled_ms = Date.now() - t0;
  out.workspace_main_thread_ms = (await busyOf()) - b0;
  out.panels = await p.locator(".metric-panel").count();
  await p.context().close();
  // The same first screen reached inside the app, from the projects page (whose list holds the
  // project): the single-page app navigates, as a click on the project would.
  p = await freshPage({ width: 1600, height: 1000 });
  await p.goto(`${url}/`);
  await p.locator(`a.project-link[href="/${entity}/${project}"]`).waitFor({ timeout: 60_000 });
  t0 = Date.now();
  await p.evaluate((to) => {
    window.history.pushState({}, "", to);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, workspaceUrl);
  await p.waitForFunction(([s, n]) => {
    const panels = [...document.querySelectorAll(`[data-section="${s}"] .metric-panel`)];
    return panels.length > 0 && panels.every((el) => Number(el.getAttribute("data-loaded")) === n && el.querySelector(".uplot[data-drawn]"));
  }, ["s0", n], { timeout: 300_000, polling: 50 });
  out.workspace_from_list_ms = Date.now() - t0;
  out.workspace_from_list_requests = await p.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/"))
      .map((e) => e.name.replace(/^https?:\/\/[^/]+/, "").split("?")[0]),
  );
  await p.context().close();
  // A window tall enough for every section: all 50 panels at once, then a reload.
  p = await freshPage({ width: 1600, height: 8000 });
  t0 = Date.now();
  await p.goto(workspaceUrl);
  await p.waitForFunction(allDrawn, n, { timeout: 300_000, polling: 50 });
  out.workspace_tall_ms = Date.now() - t0;
  t0 = Date.now();
  await p.reload();
  await p.waitForFunction(allDrawn, n, { timeout: 300_000, polling: 50 });
  out.workspace_reload_ms = Date.now() - t0;
  await p.context().close();
  out.workspace_first_fetch = await bareBatchFetch(page, 1);
  out.workspace_fetch = await bareBatchFetch(page);
  out.workspace_fetch_json = await bareBatchFetch(page, null, "application/json");
  out.workspace_old_fetch_ms = await barePerRunFetch();
}

// Runs table: scroll 10,000 runs to the bottom; frame times while scrolling.
if (tableProject) {
  const t0 = Date.now();
  await page.goto(`${url}/${tableEntity}/${tableProject}/table`);
  await page.locator(".grid-row").first().waitFor({ timeout: 60_000 });
  out.table_first_rows_ms = Date.now() - t0;
  const b0 = await busy();
  const r = await page.evaluate(async () => {
    const el = document.querySelector(".grid-scroller");
    const frames = [];
    let last = performance.now();
    const t = performance.now();
    const total = () => Number(document.querySelector("[data-testid=runs-total]").textContent);
    const want = total();
    for (let i = 0; i < 5000; i++) {
      el.scrollTop += 600;
      await new Promise((ok) => requestAnimationFrame(() => ok()));
      const now = performance.now();
      frames.push(now - last);
      last = now;
      const lastRow = [...document.querySelectorAll(".grid-row")].pop();
      const idx = lastRow ? Math.round(new DOMMatrix(getComputedStyle(lastRow).transform).m42 / 34) : 0;
      if (idx >= want - 1) break;
    }
    frames.sort((a, b) => a - b);
    return {
      rows: want,
      scroll_to_end_ms: performance.now() - t,
      frame_p50_ms: frames[Math.floor(frames.length * 0.5)],
      frame_p95_ms: frames[Math.floor(frames.length * 0.95)],
      frames: frames.length,
      dom_rows: document.querySelectorAll(".grid-row").length,
    };
  });
  r.main_thread_ms = (await busy()) - b0;
  Object.assign(out, { table: r });
  out.table_fetch_all_ms = await page.evaluate(
    async ([pid, tok]) => {
      const t = performance.now();
      let cursor = "";
      for (;;) {
        const page = await fetch(`/api/projects/${pid}/runs?order=-created_at&per_page=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
          headers: { Authorization: `Bearer ${tok}` },
        }).then((r) => r.json());
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      return performance.now() - t;
    },
    [tableProjectId, token],
  );
}
console.log(JSON.stringify(out));
await browser.close();
