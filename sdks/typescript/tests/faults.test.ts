// Network faults between the SDK and the server: failed PUTs are retried with backoff, a PUT whose
// answer was lost is sent again to the same key and never duplicates rows, and log() never throws.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { init } from "../src/index.js";
import { countsByStepKey, lakeRows } from "./env.js";
import { startProxy, type Proxy } from "./proxy.js";

const server = inject("server");
let proxy: Proxy | null = null;
afterEach(async () => {
  await proxy?.stop();
  proxy = null;
});

const isPut = (method?: string) => method === "PUT";

/** Every request through the proxy: the API calls, and the presigned PUTs (whose URLs name the server itself). */
function viaProxy(p: Proxy): typeof fetch {
  return (input, init) => fetch(String(input).replace(server.url, p.url), init);
}

async function logRun(baseUrl: string, id: string, steps: number) {
  const warnings: string[] = [];
  const run = await init({
    baseUrl,
    apiKey: server.apiKey,
    fetch: viaProxy(proxy!),
    project: "ts-faults",
    id,
    dir: mkdtempSync(join(tmpdir(), "ts-faults-")),
    flushIntervalMs: 30,
    maxBackoffMs: 200,
    warn: (m) => warnings.push(m),
  });
  for (let i = 0; i < steps; i++) {
    run.log({ a: i, b: -i });
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 40)); // a chunk per 50 steps or so
  }
  const result = await run.finish(0, { timeoutMs: 30_000 });
  return { run, result, warnings };
}

describe("faults", () => {
  it("retries PUTs the store failed (503 and dropped connections) and lands every row once", async () => {
    let puts = 0;
    proxy = await startProxy(server.url, (req) => {
      if (!isPut(req.method)) return "pass";
      puts++;
      // The first three PUTs fail, then every third: each chunk needs its retries.
      if (puts <= 3) return puts === 2 ? "drop" : "503";
      return puts % 3 === 0 ? "503" : "pass";
    });
    const { run, result } = await logRun(proxy.url, "ts-fault-put", 300);
    expect(result.synced).toBe(true);
    const failed = proxy.log.filter((r) => r.method === "PUT" && r.fault !== "pass").length;
    expect(failed).toBeGreaterThanOrEqual(3);
    const lake = lakeRows(server.dataDir, run.projectId!, run.id);
    expect(lake.rows.length).toBe(600);
    expect([...countsByStepKey(lake.rows).values()].every((n) => n === 1)).toBe(true);
  });

  it("sends a chunk again when its PUT's answer is lost, without duplicating rows", async () => {
    let lost = 0;
    proxy = await startProxy(server.url, (req) => {
      if (isPut(req.method) && lost < 2) {
        lost++;
        return "lose-answer"; // the server stored the chunk; the SDK never hears so and sends it again
      }
      return "pass";
    });
    const { run, result } = await logRun(proxy.url, "ts-fault-resend", 120);
    expect(result.synced).toBe(true);
    const puts = proxy.log.filter((r) => r.method === "PUT");
    const paths = puts.map((r) => r.path.split("?")[0]);
    // The same object key was PUT twice (the re-sent chunk)...
    expect(paths.length).toBeGreaterThan(new Set(paths).size);
    // ...and the lake still holds each row once.
    const lake = lakeRows(server.dataDir, run.projectId!, run.id);
    expect(lake.rows.length).toBe(240);
    expect([...countsByStepKey(lake.rows).values()].every((n) => n === 1)).toBe(true);
  });

  it("never throws from log() while the server fails, and finish() returns within its timeout", async () => {
    proxy = await startProxy(server.url, (req) => (isPut(req.method) || req.url?.includes("/uploads") ? "503" : "pass"));
    const warnings: string[] = [];
    const run = await init({
      baseUrl: proxy.url,
      apiKey: server.apiKey,
      fetch: viaProxy(proxy),
      project: "ts-faults",
      dir: mkdtempSync(join(tmpdir(), "ts-faults-")),
      flushIntervalMs: 20,
      maxBackoffMs: 100,
      warn: (m) => warnings.push(m),
    });
    for (let i = 0; i < 200; i++) {
      expect(() => run.log({ a: i })).not.toThrow();
      if (i % 40 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    const started = Date.now();
    const result = await run.finish(0, { timeoutMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result.synced).toBe(false);
    expect(result.unsynced).toBeGreaterThan(0);
    expect(warnings.join("\n")).toContain("wanllmdb sync");
  });
});
