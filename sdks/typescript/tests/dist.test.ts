// The package as plain JS modules (the layout `npm run build` gives dist/; transpiled here with esbuild,
// file by file, which is seconds faster than tsc on a busy box), imported by a Node script, with
// chunks encoded on the worker thread (node/worker-encoder.ts), and every row landing once.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, inject, it } from "vitest";
import { countsByStepKey, lakeRows, PKG } from "./env.js";

const server = inject("server");

it("the built modules encode chunks on a worker thread and land every row once", async () => {
  // Inside the package, so that `hyparquet-writer` resolves from its node_modules.
  const out = join(PKG, "node_modules", ".cache", "wanllmdb-dist-test");
  rmSync(out, { recursive: true, force: true });
  const sources = readdirSync(join(PKG, "src"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  await build({ entryPoints: sources.map((f) => join(PKG, "src", f)), outdir: out, outbase: join(PKG, "src"), format: "esm", platform: "node", logLevel: "silent" });
  const dir = mkdtempSync(join(tmpdir(), "ts-dist-"));
  const dist = (p: string) => JSON.stringify(pathToFileURL(join(out, p)).href);
  writeFileSync(
    join(dir, "script.mjs"),
    `import { init } from ${dist("index.js")};
import { encoderKind } from ${dist("node/worker-encoder.js")};
const run = await init({ project: "ts-dist", dir: ${JSON.stringify(dir)}, flushMaxValues: 2000, warn: (m) => console.error(m) });
for (let i = 0; i < 3000; i++) run.log({ a: i, b: i / 2, c: -i, d: 1 }); // never yields: cuts happen inside log()
const result = await run.finish();
console.log(JSON.stringify({ kind: encoderKind(), id: run.id, projectId: run.projectId, result }));
`,
  );
  const r = spawnSync(process.execPath, [join(dir, "script.mjs")], {
    env: { ...process.env, WANLLMDB_BASE_URL: server.url, WANLLMDB_API_KEY: server.apiKey },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const ran = JSON.parse(r.stdout.trim().split("\n").pop()!) as { kind: string; id: string; projectId: string; result: { synced: boolean } };
  expect(ran.kind).toBe("worker");
  expect(ran.result.synced).toBe(true);
  const lake = lakeRows(server.dataDir, ran.projectId, ran.id);
  expect(lake.rows.length).toBe(12_000);
  expect(lake.chunks + lake.compacted).toBeGreaterThan(0);
  expect([...countsByStepKey(lake.rows).values()].every((n) => n === 1)).toBe(true);
});
