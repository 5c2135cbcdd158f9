// Helpers of the table and custom-chart browser tests: workspace links that carry custom chart
// panels, what a chart drew (from a screenshot, which covers canvas, WebGL and SVG alike), the
// CSP refusals a page saw, and screenshots kept for the docs.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import type { ChartSpec } from "../../src/shaping/chartSpec";
import { defaultView, encodeView, type CustomPanel, type PanelBox } from "../../src/shaping/view";
import { REPO, SHOTS } from "./harness";

/** $SHOTS_TO_DOCS=<suffix> also copies the screenshots to docs/screenshots/<name>-<suffix>.png. */
const DOCS_SUFFIX = process.env.SHOTS_TO_DOCS;

export async function shot(target: Page | Locator, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await target.screenshot({ path });
  if (DOCS_SUFFIX) {
    mkdirSync(join(REPO, "docs", "screenshots"), { recursive: true });
    copyFileSync(path, join(REPO, "docs", "screenshots", `${name}-${DOCS_SUFFIX}.png`));
  }
  return path;
}

/** A workspace URL showing `runs` and the given chart panels, each a full-width box. */
export function chartsUrl(base: string, runs: string[], charts: { id: string; title: string; chart: ChartSpec }[], brush = {}): string {
  const panels: CustomPanel[] = charts.map((c) => ({ id: c.id, type: "chart", title: c.title, chart: c.chart }));
  const layout: Record<string, PanelBox> = Object.fromEntries(charts.map((c, i) => [`custom:${c.id}`, { x: 0, y: i * 13, w: 8, h: 13 }]));
  return `${base}/workspace?view=${encodeView({ ...defaultView(), runs, panels, layout, brush })}`;
}

/** Collects every CSP refusal of the page (any frame, every navigation) into the returned list. */
export async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction("__cspReport", (v: string) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { __cspReport: (v: string) => void }).__cspReport(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return seen;
}

/**
 * What an element shows, from its screenshot decoded in the page: pixels that are not the white
 * panel background, and distinct colours (4 bits a channel), so "something drew, in colour" is
 * checked the same way for canvas, WebGL and SVG charts.
 */
export async function inkOf(page: Page, target: Locator): Promise<{ ink: number; colours: number; total: number }> {
  const png = (await target.screenshot()).toString("base64");
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d")!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245) continue;
      ink++;
      colours.add(((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4));
    }
    return { ink, colours: colours.size, total: d.length / 4 };
  }, png);
}

/** Waits until the panel's chart has drawn, and returns its render time (option handed over to frame drawn). */
export async function drawn(panel: Locator, timeout = 60_000): Promise<number> {
  const chart = panel.locator(".echart[data-drawn]");
  await chart.waitFor({ timeout });
  return Number(await chart.getAttribute("data-render-ms"));
}
