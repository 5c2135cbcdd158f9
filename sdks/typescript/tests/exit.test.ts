// A Node script that ends without finish(): its event loop runs dry, the SDK flushes, uploads and
// finishes the run (the Python SDK's atexit hook), and the process exits on its own.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, inject, it } from "vitest";
import { Api } from "../src/index.js";
import { lakeRows, PKG } from "./env.js";

const server = inject("server");

it("finishes a run whose script forgot finish(), and lets the process exit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ts-exit-"));
  await build({ entryPoints: [join(PKG, "src", "index.ts")], bundle: true, platform: "node", format: "esm", outfile: join(dir, "sdk.mjs"), logLevel: "silent" });
  writeFileSync(
    join(dir, "script.mjs"),
    `import { init } from "./sdk.mjs";
const run = await init({ project: "ts-exit", id: "ts-forgot-finish", dir: ${JSON.stringify(dir)}, warn: () => {} });
for (let i = 0; i < 30; i++) run.log({ x: i });
`,
  );
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(dir, "script.mjs")], {
    env: { ...process.env, WANLLMDB_BASE_URL: server.url, WANLLMDB_API_KEY: server.apiKey },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  expect(Date.now() - started).toBeLessThan(20_000);
  const api = new Api({ baseUrl: server.url, apiKey: server.apiKey });
  const run = await api.run("ts-forgot-finish", "ts-exit");
  expect(run.state).toBe("finished");
  expect(lakeRows(server.dataDir, run.project_id, run.id).rows.length).toBe(30);
});
