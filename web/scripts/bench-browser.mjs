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

// Workspace: 50 panels x N runs, until every panel has drawn every run. The server caches
// decoded lake objects, so the bare-fetch baseline runs once before (to warm that cache for both
// sides) and is timed after.
const bareWorkspaceFetch = () =>
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
if (runIds.length) {
  out.workspace_cold_fetch_ms = await bareWorkspaceFetch();
  const b0 = await busy();
  const t0 = Date.now();
  await page.goto(`${url}/${entity}/${project}/workspace?runs=${runIds.join(",")}`);
  await page.waitForFunction(
    (n) => {
      const panels = [...document.querySelectorAll(".metric-panel")];
      return panels.length >= 50 && panels.every((p) => Number(p.getAttribute("data-loaded")) === n && p.querySelector(".uplot[data-drawn]"));
    },
    runIds.length,
    { timeout: 300_000, polling: 100 },
  );
  out.workspace_ms = Date.now() - t0;
  out.workspace_main_thread_ms = (await busy()) - b0;
  out.panels = await page.locator(".metric-panel").count();
  await page.goto(`${url}/login`);
  out.workspace_fetch_ms = await bareWorkspaceFetch();
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
