// Browser half of benchmarks/web_many_runs.py: a workspace with every run of a big project selected
// (N lines, the rest one band per chart) in headless Chromium, against its in-page baseline: the
// same API calls with bare fetch() (the keys of every run, then per section the lines' GET and the
// band's POST). Prints one JSON line of timings.
import { chromium } from "playwright-core";

const [url, token, username, password, entity, project, runIdsCsv, linesArg, keysCsv] = process.argv.slice(2);
const runIds = runIdsCsv.split(",");
const lines = Number(linesArg);
const keys = keysCsv.split(",");
const ARROW = "application/vnd.apache.arrow.stream";
const projectRef = `${entity}:${project}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
const errors = [];

/** A fresh context (empty HTTP cache), signed in through the login form as a user would. */
async function signedIn() {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${url}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  return { context, page };
}

// The workspace's view in its URL: every run selected, `lines` of them drawn as lines.
const { default: LZString } = await import("lz-string");
const { compressToEncodedURIComponent } = LZString;
const view = {
  v: 1, name: "Workspace", runs: runIds, search: "", x: "step", smoothing: 0, logY: false, collapsed: [], layout: {},
  panels: [], groupBy: "", band: "minmax", panelConfig: {}, brush: {}, lines,
};
const workspaceUrl = `${url}/${entity}/${project}/workspace?view=${compressToEncodedURIComponent(JSON.stringify(view))}`;

/** Navigation until every panel has drawn its lines and the band of the other runs. */
async function draw() {
  const { context, page } = await signedIn();
  let requests = 0;
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/")) requests++;
  });
  const t = Date.now();
  await page.goto(workspaceUrl);
  const band = runIds.length - lines;
  await page.waitForFunction(
    ([keys, lines, band]) =>
      keys.every((k) => {
        const p = document.querySelector(`[data-panel="line:${k}"] .metric-panel`);
        return p && Number(p.getAttribute("data-loaded")) === lines && Number(p.getAttribute("data-band")) === band && p.querySelector(".uplot")?.dataset.drawn === "1";
      }),
    [keys, lines, band],
    { timeout: 300_000, polling: 50 },
  );
  const ms = Date.now() - t;
  await context.close();
  return { ms, requests };
}

/** The same data with bare fetch(): the keys of every run, then the lines' GET and the band's POST at once. */
async function bareFetch(page) {
  return page.evaluate(
    async ([ids, tok, pid, lines, ARROW]) => {
      const h = { Authorization: `Bearer ${tok}`, "Content-Type": "application/json" };
      const t = performance.now();
      const known = await fetch(`/api/projects/${encodeURIComponent(pid)}/keys`, { method: "POST", headers: h, body: JSON.stringify({ runs: ids }) }).then((r) => r.json());
      const keys = known.keys.filter((k) => !k.startsWith("_"));
      const q = new URLSearchParams({ runs: ids.slice(0, lines).join(","), buckets: "1000", x: "step", stream: "history", fields: "x0,x1,min,max,mean" });
      for (const k of keys) q.append("keys", k);
      let bytes = 0;
      const body = { runs: [], band: ids.slice(lines), keys, x: "step", buckets: 250, stream: "history", fields: ["x0", "x1", "min", "max", "mean", "count"] };
      await Promise.all([
        fetch(`/api/projects/${encodeURIComponent(pid)}/metrics/batch?${q}`, { headers: { ...h, Accept: ARROW }, cache: "no-store" }).then((r) => r.arrayBuffer()),
        fetch(`/api/projects/${encodeURIComponent(pid)}/metrics/batch`, { method: "POST", headers: { ...h, Accept: ARROW }, body: JSON.stringify(body) }).then((r) => r.arrayBuffer()),
      ]).then((bs) => bs.forEach((b) => (bytes += b.byteLength)));
      return { ms: performance.now() - t, bytes };
    },
    [runIds, token, projectRef, lines, ARROW],
  );
}

/** What the workspace asked before: each selected run's metric keys and media keys, two GETs per run
 * (six at a time, as a browser holds six connections to one host; 2,000 at once run it out of resources). */
async function perRunKeys(page) {
  return page.evaluate(
    async ([ids, tok]) => {
      const h = { headers: { Authorization: `Bearer ${tok}` } };
      const urls = ids.flatMap((id) => [`/api/runs/${id}/metric-keys?stream=history`, `/api/runs/${id}/media`]);
      const t = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < urls.length) await fetch(urls[next++], h).then((r) => r.json());
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      return { ms: performance.now() - t, requests: urls.length };
    },
    [runIds, token],
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const { context, page } = await signedIn();
// The server caches decoded lake objects: one bare fetch first warms it for both sides.
await bareFetch(page);
const draws = [];
const fetches = [];
for (let i = 0; i < 3; i++) {
  draws.push(await draw());
  fetches.push(await bareFetch(page));
}
let old = null;
try {
  old = await perRunKeys(page);
} catch (e) {
  errors.push(`per-run keys baseline: ${e.message}`);
}
await context.close();
await browser.close();
console.log(
  JSON.stringify({
    runs: runIds.length,
    lines,
    draw_ms: median(draws.map((d) => d.ms)),
    draws_ms: draws.map((d) => d.ms),
    requests: median(draws.map((d) => d.requests)),
    fetch_ms: median(fetches.map((f) => f.ms)),
    fetches_ms: fetches.map((f) => f.ms),
    fetch_bytes: fetches[0].bytes,
    per_run_keys: old,
    errors,
  }),
);
