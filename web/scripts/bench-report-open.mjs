// Browser half of benchmarks/report_open.py: opens a report in headless Chromium until its ready
// flag (window.__reportReady: every panel drawn) and, as the baseline, a bare page of the same
// origin making the same API requests, recorded from the report's own open, in dependency waves.
// Prints one JSON line of timings (medians over the rounds).
import { chromium } from "playwright-core";

const [url, username, password, reportPath, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
await page.goto(`${url}/login`);
await page.fill("input[name=username]", username);
await page.fill("input[name=password]", password);
await page.click("button[type=submit]");
await page.getByRole("heading", { name: "Projects" }).waitFor();
const cdp = await page.context().newCDPSession(page);
await cdp.send("Performance.enable");
const busy = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value * 1000;

/**
 * Opens the report; ms from navigation start to the first frame its ready flag is true. A flag
 * set before every line panel has drawn all its runs would be a wrong figure: that fails the run.
 */
async function openReport() {
  await page.goto(`${url}${reportPath}`, { waitUntil: "commit" });
  const at = await page.waitForFunction(
    () => {
      if (window.__reportReady !== true) return null;
      const panels = [...document.querySelectorAll(".metric-panel")];
      return { t: performance.now(), panels: panels.length, drawn: panels.filter((p) => p.querySelector(".uplot[data-drawn]")).length, loaded: panels.map((p) => Number(p.getAttribute("data-loaded"))) };
    },
    null,
    { timeout: 300_000, polling: "raf" },
  );
  const r = await at.jsonValue();
  if (r.drawn !== r.panels || new Set(r.loaded).size !== 1) throw new Error(`ready with ${r.drawn} of ${r.panels} panels drawn (runs per panel: ${r.loaded})`);
  return r.t;
}

// What the report asks the server for: recorded on its first (warm-up) open.
const recorded = [];
const record = (r) => {
  const path = new URL(r.url()).pathname;
  if (path.startsWith("/api/") && ["fetch", "xhr"].includes(r.resourceType())) recorded.push({ method: r.method(), url: r.url(), body: r.postData() ?? null, path });
};
page.on("request", record);
await openReport();
page.off("request", record);
const panels = await page.locator('[data-panel-type="line"]').count();

// Each request waits on the answers it is built from: the report names its projects, a project's
// runs are listed by its id, metrics are read per listed run. Anything else the page asks for
// (its session, notifications) goes in the first wave.
const wave = (path) =>
  path.startsWith("/api/projects/by-name/") ? 1 : /^\/api\/projects\/[^/]+\/runs\b/.test(path) ? 2 : /^\/api\/(runs|query|metrics)\b/.test(path) ? 3 : 0;
const waves = [0, 1, 2, 3].map((w) => recorded.filter((r) => wave(r.path) === w)).filter((w) => w.length > 0);

/** A bare document of the same origin (no app code), then the same requests, wave by wave. */
async function bare() {
  await page.goto(`${url}/api/health`);
  return page.evaluate(async (waves) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const csrf = decodeURIComponent(document.cookie.split("; ").find((c) => c.startsWith("wl_csrf="))?.slice(8) ?? "");
    const t = performance.now();
    for (const w of waves)
      await Promise.all(
        w.map((r) =>
          fetch(r.url, {
            method: r.method,
            body: r.body,
            headers: r.body === null ? {} : { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          }).then((res) => res.arrayBuffer()),
        ),
      );
    return { document: nav.loadEventEnd, fetch: performance.now() - t };
  }, waves);
}
await bare(); // warm-up of the baseline's path too

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const reportRounds = [];
const bareRounds = [];
let mainThread = 0;
for (let i = 0; i < rounds; i++) {
  const b0 = await busy();
  reportRounds.push(await openReport());
  mainThread += (await busy()) - b0;
  bareRounds.push(await bare());
}
const bareTotals = bareRounds.map((b) => b.document + b.fetch);
const mid = bareRounds[bareTotals.indexOf(median(bareTotals))];
console.log(
  JSON.stringify({
    panels,
    requests: recorded.length,
    waves: waves.length,
    report_ms: median(reportRounds),
    report_rounds: reportRounds,
    main_thread_ms: mainThread / rounds,
    bare_ms: median(bareTotals),
    bare_document_ms: mid.document,
    bare_fetch_ms: mid.fetch,
    bare_rounds: bareTotals,
    errors,
  }),
);
await browser.close();
