// Media panels end to end: a real server, media rows and objects put in the lake through upload
// grants (tests/web_e2e/seed_media.py), headless Chromium. Images render with their overlays, the
// section's step slider changes the image within 300 ms, a step without media shows the nearest
// earlier one (labelled), histograms draw over steps, and logged Html runs in a sandbox that cannot
// reach the dashboard. A second run, logged through the SDK, has a point cloud (categories, a box, a
// vector), an OBJ mesh and a plotly figure (with a WebGL trace), drawn under the dashboard's real CSP
// with no violation, and images by epoch for a slider on the `epoch` axis; a 1,000,000-point cloud
// draws within 2 s of its panel mounting.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { findServerCommand, launchChromium, seed, type Seeded, type Server, SHOTS, signIn, startServer, watchedPage, WEB } from "./harness";
import { classColor } from "../../src/shaping/media";

const bin = findServerCommand();
if (!bin) console.warn("\n!! WEB E2E SKIPPED (media): no `wanllmdb` server command (set WANLLMDB_BIN or create .venv).\n");

describe.skipIf(!bin)("media panels against a real local server", () => {
  let server: Server;
  let seeded: Seeded;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const pred = '[data-panel="media:samples/pred"]';

  beforeAll(async () => {
    if (!existsSync(join(WEB, "dist", "index.html"))) throw new Error("web/dist is not built: run `npm run build` first");
    server = await startServer(bin!);
    seeded = seed(bin!, server, [], "seed_media.py");
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { width: 1440, height: 1000 });
    // Every CSP refusal in any frame, with what refused it, to tell the Html sandbox's from any other.
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        w.__csp.push(`${window === window.top ? "top" : "frame"} ${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}`),
      );
    });
    await signIn(page, server, seeded);
    await page.goto(`${server.url}/${seeded.entity}/${seeded.project}/workspace`);
    await page.locator('[data-section="media:samples"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("renders the latest image with its caption, box and mask, and a toggle per class", async () => {
    await page.locator(pred).scrollIntoViewIfNeeded();
    const img = page.locator(`${pred} img`);
    await img.waitFor();
    await page.waitForFunction((sel) => {
      const el = document.querySelector<HTMLImageElement>(`${sel} img`);
      return !!el && el.complete && el.naturalWidth === 32;
    }, pred);
    expect(await img.getAttribute("alt")).toBe("blue");
    expect(await page.locator(`${pred} figcaption`).innerText()).toBe("blue");
    expect(await page.locator(`${pred} rect[data-class="1"]`).count()).toBe(1);
    expect(await page.locator(`${pred} canvas.media-overlay`).count()).toBe(1);
    await page.locator(`${pred} .media-class`, { hasText: "cat" }).locator("input").uncheck();
    expect(await page.locator(`${pred} rect[data-class="1"]`).count()).toBe(0);
    await page.locator(`${pred} .media-class`, { hasText: "cat" }).locator("input").check();
    expect(await page.locator(`${pred} rect[data-class="1"]`).count()).toBe(1);
  });

  it("keeps media keys out of the line charts", async () => {
    await page.locator('[data-panel="line:train/loss"]').waitFor();
    expect(await page.locator('[data-panel="line:weights/w"]').count()).toBe(0);
    expect(await page.locator('[data-panel="line:samples/pred"]').count()).toBe(0);
  });

  it("draws the point cloud in its category colours, with its box and vector, and a legend", async () => {
    const panel = '[data-panel="media:scene/cloud"]';
    // 3D panels draw only while on screen.
    await page.locator(panel).scrollIntoViewIfNeeded();
    await page.locator(`${panel} canvas[data-drawn]`).waitFor();
    const px = await canvasPixels(page, `${panel} canvas`, [classColor(0), classColor(1), [255, 60, 60], [255, 255, 0]]);
    expect(px.drawn, "non-background pixels").toBeGreaterThan(500);
    const [cat0, cat1, box, vector] = px.near;
    expect(cat0, "category 0 pixels").toBeGreaterThan(50);
    expect(cat1, "category 1 pixels").toBeGreaterThan(50);
    expect(box, "box edge pixels").toBeGreaterThan(20);
    expect(vector, "vector pixels").toBeGreaterThan(10);
    expect(await page.locator(`${panel} .media-class`).allInnerTexts()).toEqual(["class 0", "class 1", "car"]);
  });

  it("draws the OBJ mesh, lit", async () => {
    const panel = '[data-panel="media:scene/mesh"]';
    await page.locator(panel).scrollIntoViewIfNeeded();
    await page.locator(`${panel} canvas[data-drawn]`).waitFor();
    const px = await canvasPixels(page, `${panel} canvas`, []);
    expect(px.drawn).toBeGreaterThan(2000);
    expect(px.shades, "faces lit differently").toBeGreaterThan(2);
  });

  it("draws the plotly figure with plotly's stylesheet and no CSP refusal of its own", async () => {
    await page.locator('[data-panel="media:figures/fig"]').scrollIntoViewIfNeeded();
    const plot = page.locator('[data-panel="media:figures/fig"] .media-plotly-plot[data-drawn]');
    await plot.waitFor({ timeout: 30_000 });
    expect(await plot.locator(".scatterlayer .trace").count()).toBe(1);
    expect(await plot.locator(".barlayer .trace").count()).toBe(1);
    expect(await plot.locator(".barlayer path").count()).toBe(4);
    expect(await plot.locator(".gtitle").textContent()).toBe("e2e figure");
    // The WebGL trace draws too: the strict bundle compiles no code at run time, which this CSP would refuse.
    const glPixels = await plot.evaluate((el) =>
      Math.max(
        ...[...el.querySelectorAll("canvas")].map((c) => {
          const gl = c.getContext("webgl", { preserveDrawingBuffer: true });
          if (!gl) return 0;
          const px = new Uint8Array(c.width * c.height * 4);
          gl.readPixels(0, 0, c.width, c.height, gl.RGBA, gl.UNSIGNED_BYTE, px);
          return px.filter((v, i) => i % 4 === 3 && v > 0).length;
        }),
      ),
    );
    expect(glPixels, "pixels of the scattergl trace").toBeGreaterThan(200);
    // plotly.css, not an inline <style>, positions the mode bar.
    expect(await plot.locator(".modebar").evaluate((el) => getComputedStyle(el).position)).toBe("absolute");
    const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect(csp.filter((v) => v.startsWith("top")), "CSP refusals in the dashboard itself").toEqual([]);
  });

  it("walks a section by epoch: labels say the epoch and the images switch (time logged)", async () => {
    const section = page.locator('[data-section="media:epochs"]');
    const img = '[data-panel="media:epochs/img"] img';
    await section.scrollIntoViewIfNeeded();
    await section.locator('select[aria-label="Slider axis of epochs"]').selectOption("epoch");
    // Images at steps 2, 6 and 10; epoch logged at steps 0, 4 and 8: each image takes the epoch logged before it.
    await page.waitForFunction(() => document.querySelector('[data-section="media:epochs"] [data-step]')?.textContent === "epoch 2");
    const slider = section.locator("input[type=range]");
    await slider.focus();
    await page.evaluate(() => {
      const w = window as unknown as { __t0: number };
      document.addEventListener("keydown", () => (w.__t0 = performance.now()), { capture: true, once: true });
    });
    await page.keyboard.press("ArrowLeft");
    const elapsed = await page.waitForFunction(
      (sel) => {
        const el = document.querySelector<HTMLImageElement>(sel);
        const t0 = (window as unknown as { __t0?: number }).__t0;
        return el && t0 != null && el.alt === "green (epoch 1)" && el.complete && el.naturalWidth > 0 ? performance.now() - t0 : false;
      },
      img,
      { polling: "raf" },
    );
    const ms = (await elapsed.jsonValue()) as number;
    console.log(`media e2e: slider on epoch to new image in ${ms.toFixed(0)} ms`);
    expect(await section.locator("[data-step]").innerText()).toBe("epoch 1");
    expect(await section.locator("[data-step]").getAttribute("data-step")).toBe("6");
    await slider.press("Home");
    await page.waitForFunction((sel) => document.querySelector<HTMLImageElement>(sel)?.alt === "red (epoch 0)", img);
    // The choice is part of the view: a reload keeps it.
    await page.reload();
    await page.locator('[data-section="media:epochs"] [data-step]').waitFor();
    expect(await page.locator('select[aria-label="Slider axis of epochs"]').inputValue()).toBe("epoch");
    // The saved view arrives after the section's first paint: the label follows it.
    await expect
      .poll(() => page.locator('[data-section="media:epochs"] [data-step]').innerText(), { timeout: 5000 })
      .toBe("epoch 2");
  });

  it("changes the image on a step of the slider, and labels the nearest earlier step (time logged)", async () => {
    await page.locator('[data-section="media:samples"]').scrollIntoViewIfNeeded();
    await page.waitForFunction((sel) => document.querySelector<HTMLImageElement>(`${sel} img`)?.alt === "blue", pred);
    const slider = page.locator('[data-section="media:samples"] input[type=range]');
    await slider.focus();
    await page.evaluate(() => {
      const w = window as unknown as { __t0: number };
      document.addEventListener("keydown", () => (w.__t0 = performance.now()), { capture: true, once: true });
    });
    await page.keyboard.press("ArrowLeft");
    const elapsed = await page.waitForFunction(
      (sel) => {
        const el = document.querySelector<HTMLImageElement>(`${sel} img`);
        const t0 = (window as unknown as { __t0?: number }).__t0;
        return el && t0 != null && el.alt === "green" && el.complete && el.naturalWidth > 0 ? performance.now() - t0 : false;
      },
      pred,
      { polling: "raf" },
    );
    const ms = (await elapsed.jsonValue()) as number;
    console.log(`media e2e: slider step to new image in ${ms.toFixed(0)} ms`);
    expect(await page.locator('[data-section="media:samples"] [data-step]').innerText()).toBe("step 10");
    // The Html was logged at step 0 only: at step 10 it shows step 0, saying so.
    const note = page.locator('[data-panel="media:samples/page"] .media-note');
    await note.waitFor();
    expect(await note.innerText()).toContain("step 0");
    // Home goes to the first step; the play button walks forward on its own.
    await slider.press("Home");
    await page.waitForFunction((sel) => document.querySelector<HTMLImageElement>(`${sel} img`)?.alt === "red", pred);
    await page.getByRole("button", { name: "Play samples" }).click();
    await page.waitForFunction((sel) => document.querySelector<HTMLImageElement>(`${sel} img`)?.alt === "green", pred, { timeout: 5000 });
    await page.getByRole("button", { name: "Pause samples" }).click();
  });

  it("runs logged Html in a sandbox that cannot read parent.document", async () => {
    const iframe = page.locator('[data-panel="media:samples/page"] iframe');
    await iframe.waitFor();
    expect(await iframe.getAttribute("sandbox")).toBe("allow-scripts");
    const handle = await iframe.elementHandle();
    const frame = await handle!.contentFrame();
    expect(frame).not.toBeNull();
    await frame!.locator("#msg").waitFor();
    expect(await frame!.locator("#msg").innerText()).not.toContain("read");
    const probe = await frame!.evaluate(() => {
      try {
        return `read ${window.parent.document.title}`;
      } catch (e) {
        return `blocked: ${(e as Error).name}`;
      }
    });
    expect(probe).toBe("blocked: SecurityError");
    expect(await frame!.evaluate(() => window.origin)).toBe("null");
  });

  it("plays logged audio with its waveform, from the nearest earlier step", async () => {
    await page.locator('[data-section="media:samples"] input[type=range]').press("End");
    const panel = page.locator('[data-panel="media:samples/audio"]');
    await panel.locator("canvas.media-wave[data-drawn]").waitFor();
    expect(await panel.locator(".media-note").innerText()).toContain("step 10");
    const duration = await panel.locator("audio").evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((ok) => (a.readyState >= 1 ? ok(a.duration) : a.addEventListener("loadedmetadata", () => ok(a.duration)))),
    );
    expect(duration).toBeCloseTo(0.5, 1);
  });

  it("draws a histogram key as a heatmap over every step", async () => {
    await page.locator('[data-panel="media:weights/w"]').scrollIntoViewIfNeeded();
    const map = page.locator('[data-panel="media:weights/w"] .media-heatmap');
    await map.waitFor();
    expect(await map.getAttribute("data-steps")).toBe("50");
    expect(await page.locator('[data-panel="media:weights/w"] canvas').getAttribute("width")).toBe("50");
    mkdirSync(SHOTS, { recursive: true });
    await page.locator('[data-section="media:samples"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "media-panels.png"), fullPage: true });
  });

  it("opens a section of 2,000 histogram panels, fetching only those on screen (time logged)", async () => {
    const many = seed(bin!, server, ["--project", "media-many", "--many", "2000"], "seed_media.py");
    const asked: string[] = [];
    const onRequest = (r: { url: () => string }) => {
      if (r.url().includes("/media/histograms")) asked.push(r.url());
    };
    page.on("request", onRequest);
    const t0 = Date.now();
    await page.goto(`${server.url}/${many.entity}/${many.project}/workspace`);
    await page.locator('[data-panel="media:many/h0000"] .media-heatmap canvas').waitFor();
    const ms = Date.now() - t0;
    console.log(`media e2e: 2,000 histogram panels open in ${ms} ms, ${asked.length} fetched`);
    const timing = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => e.name.includes("/api/"))
        .map((e) => `${new URL(e.name).pathname.split("/").slice(-2).join("/")} ${e.startTime.toFixed(0)}-${(e as PerformanceResourceTiming).responseEnd.toFixed(0)}`)
        .slice(0, 12),
    );
    console.log(`media e2e: API timing (ms from navigation): ${timing.join(", ")}`);
    expect(await page.locator('[data-section="media:many"] .media-panel').count()).toBe(2000);
    await page.waitForTimeout(300);
    page.off("request", onRequest);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.length).toBeLessThan(100);
    expect(await page.locator('[data-section="media:many"] [data-mounted]').count()).toBeLessThan(100);
  });

  it("draws a 1,000,000-point cloud (time from its panel mounting logged)", async () => {
    const big = seed(bin!, server, ["--project", "media-1m", "--pointcloud", "1000000"], "seed_media.py");
    const panel = '[data-panel="media:cloud/big"]';
    const t0 = Date.now();
    await page.goto(`${server.url}/${big.entity}/${big.project}/workspace`);
    await page.locator(`${panel} canvas[data-drawn]`).waitFor({ timeout: 30_000 });
    const fromNavigation = Date.now() - t0;
    // The panel mounts (on screen) and asks for its descriptor; then the bytes are fetched and
    // decoded in a worker, the scene built and the first frame drawn by SwiftShader (--disable-gpu).
    const t = await page.evaluate(() => {
      const item = performance.getEntriesByType("resource").find((e) => e.name.includes("/media/item"));
      const frame = performance.getEntriesByName("object3d first frame")[0];
      return { asked: item?.startTime ?? NaN, fetched: frame?.startTime ?? NaN, drawn: frame ? frame.startTime + frame.duration : NaN };
    });
    const fromPanel = Math.round(t.drawn - t.asked);
    console.log(
      `media e2e: 1,000,000-point cloud: first frame ${fromPanel} ms after its panel mounted ` +
        `(descriptor, fetch and zstd decode ${Math.round(t.fetched - t.asked)} ms, scene and frame ${Math.round(t.drawn - t.fetched)} ms); ` +
        `${fromNavigation} ms after navigation`,
    );
    const px = await canvasPixels(page, `${panel} canvas`, []);
    expect(px.drawn, "pixels of the cloud").toBeGreaterThan(5000);
    expect(px.shades, "its RGB colours").toBeGreaterThan(20);
  });

  it("logged no console errors", async () => {
    // The dashboard's CSP keeps the Html's inline script from running at all; Chromium reports that
    // refusal, in the Html's sandboxed frame. Any other refusal (a style plotly.js injects) is an error.
    const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect(csp.filter((v) => v.startsWith("top"))).toEqual([]);
    const real = errors.filter((e) => !/Content Security Policy/.test(e));
    const refusals = errors.filter((e) => /Content Security Policy/.test(e));
    console.log(`media e2e: ${refusals.length} CSP refusal(s) reported`);
    expect(refusals.filter((e) => !/Executing inline script/.test(e)), "CSP refusals other than the Html's script").toEqual([]);
    expect(real, `console errors:\n${real.join("\n")}`).toEqual([]);
  });
});

/**
 * What a panel's 2D canvas shows: pixels unlike the background (its corner), distinct colours among
 * them (shades), and for each of `colours` how many pixels are within a few levels of it.
 */
async function canvasPixels(page: Page, selector: string, colours: number[][]): Promise<{ drawn: number; shades: number; near: number[] }> {
  return page.evaluate(
    ([sel, wanted]) => {
      const canvas = document.querySelector<HTMLCanvasElement>(sel)!;
      const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      const [br, bg, bb] = [d[0], d[1], d[2]];
      let drawn = 0;
      const shades = new Set<number>();
      const near = wanted.map(() => 0);
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - br) + Math.abs(d[i + 1] - bg) + Math.abs(d[i + 2] - bb) < 24) continue;
        drawn++;
        shades.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        wanted.forEach(([r, g, b], k) => {
          if (Math.abs(d[i] - r) <= 4 && Math.abs(d[i + 1] - g) <= 4 && Math.abs(d[i + 2] - b) <= 4) near[k]++;
        });
      }
      return { drawn, shades: shades.size, near };
    },
    [selector, colours] as const,
  );
}
