// Offline in Node: the run spools in the Python SDK's layout and `wanllmdb sync` (the Python CLI)
// uploads it; a server that is away at init() is caught up with later, live or by sync.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { Api, init } from "../src/index.js";
import { cli, countsByStepKey, freePort, lakeRows } from "./env.js";
import { startProxy, type Proxy } from "./proxy.js";

const server = inject("server");
const syncEnv = { WANLLMDB_BASE_URL: server.url, WANLLMDB_API_KEY: server.apiKey };
let proxy: Proxy | null = null;
afterEach(async () => {
  await proxy?.stop();
  proxy = null;
});

function logSteps(run: Awaited<ReturnType<typeof init>>, steps: number): void {
  for (let i = 0; i < steps; i++) run.log({ loss: 1 / (i + 1), acc: i / steps, epoch: Math.floor(i / 10) });
}

async function expectLanded(project: string, runId: string, rows: number) {
  const api = new Api({ baseUrl: server.url, apiKey: server.apiKey });
  const projectId = await api.projectId(project);
  const lake = lakeRows(server.dataDir, projectId, runId);
  expect(lake.rows.length).toBe(rows);
  expect([...countsByStepKey(lake.rows).values()].every((n) => n === 1)).toBe(true);
  return api.run(runId, project);
}

describe("offline", () => {
  it('mode "offline" spools in the Python layout, and `wanllmdb sync` uploads it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), "ts-offline-"));
    const run = await init({ mode: "offline", dir, project: "ts-offline", config: { lr: 0.1 }, warn: () => {} });
    logSteps(run, 250);
    run.summary.update({ note: "offline" });
    run.alert({ title: "offline alert", text: "sent by sync" });
    const result = await run.finish();
    expect(result.synced).toBe(false);

    // The Python spool layout.
    const runDir = run.dir!;
    expect(runDir).toMatch(new RegExp(`/wanllmdb/run-\\d{8}_\\d{6}-${run.id}$`));
    const record = JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")) as Record<string, unknown>;
    expect(record).toMatchObject({ id: run.id, project: "ts-offline", mode: "offline", attempt: 0 });
    const ops = readFileSync(join(runDir, "ops.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { n: number; op: string });
    expect(ops[0]).toMatchObject({ n: 0, op: "create" });
    expect(ops.map((o) => o.op)).toEqual(expect.arrayContaining(["summary", "alert", "state"]));
    expect(readdirSync(join(runDir, "chunks")).every((n) => /^history-a0000-\d{9}\.parquet$/.test(n))).toBe(true);
    expect(existsSync(join(runDir, "checksums.jsonl"))).toBe(true);

    const sync = cli(["sync", join(dir, "wanllmdb")], syncEnv);
    expect(sync.status, sync.out).toBe(0);
    const info = await expectLanded("ts-offline", run.id, 750);
    expect(info.state).toBe("finished");
    expect(info.config).toMatchObject({ lr: 0.1 });
    expect(info.summary).toMatchObject({ note: "offline", _step: 249, loss: 1 / 250 });

    // A second sync finds nothing left to send.
    const again = cli(["sync", join(dir, "wanllmdb")], syncEnv);
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(/nothing to do/);
    expect(lakeRows(server.dataDir, info.project_id, run.id).rows.length).toBe(750);
  });

  it("a server unreachable for the whole run leaves the spool for `wanllmdb sync`", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ts-unreachable-"));
    const dead = `http://127.0.0.1:${await freePort()}`;
    const warnings: string[] = [];
    const run = await init({ baseUrl: dead, apiKey: server.apiKey, dir, project: "ts-offline", initTimeoutMs: 300, maxBackoffMs: 100, warn: (m) => warnings.push(m) });
    expect(warnings.join("\n")).toContain("unreachable");
    logSteps(run, 100);
    const result = await run.finish(0, { timeoutMs: 500 });
    expect(result.synced).toBe(false);
    expect(warnings.join("\n")).toContain(`wanllmdb sync ${run.dir}`);
    const sync = cli(["sync", run.dir!], syncEnv);
    expect(sync.status, sync.out).toBe(0);
    expect((await expectLanded("ts-offline", run.id, 300)).state).toBe("finished");
  });

  it("a server away at init() is caught up with once it answers", async () => {
    let down = true;
    proxy = await startProxy(server.url, () => (down ? "drop" : "pass"));
    const p = proxy;
    const run = await init({
      baseUrl: server.url,
      apiKey: server.apiKey,
      fetch: (input, reqInit) => fetch(String(input).replace(server.url, p.url), reqInit),
      dir: mkdtempSync(join(tmpdir(), "ts-late-")),
      project: "ts-offline",
      initTimeoutMs: 200,
      flushIntervalMs: 50,
      maxBackoffMs: 100,
      warn: () => {},
    });
    logSteps(run, 80);
    await new Promise((r) => setTimeout(r, 200));
    down = false;
    expect((await run.finish(0, { timeoutMs: 15_000 })).synced).toBe(true);
    expect((await expectLanded("ts-offline", run.id, 240)).state).toBe("finished");
  });
});
