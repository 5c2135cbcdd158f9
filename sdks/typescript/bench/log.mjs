// µs per log() of 10 scalars, against a baseline loop that does the same work without the SDK
// (build the same row, append each value to a per-key array), in one process and one run.
// The SDK runs offline into a temp spool, so the figure is the caller's cost, not the network's.
// Usage: node bench/log.mjs [steps]   (builds dist/ first: the code that ships, chunks encoded on
// the worker thread; WANLLMDB_ENCODE_INLINE=1 encodes them on the caller's thread instead)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const steps = Number(process.argv[2] ?? 100_000);
const tmp = mkdtempSync(join(tmpdir(), "wanllmdb-ts-bench-"));
execFileSync(join(pkg, "node_modules", ".bin", "tsc"), ["-p", join(pkg, "tsconfig.build.json")], { stdio: "inherit" });
const { init } = await import(pathToFileURL(join(pkg, "dist", "index.js")).href);
const { encoderKind } = await import(pathToFileURL(join(pkg, "dist", "node", "worker-encoder.js")).href);

function row(i) {
  return { loss: 1 / (i + 1), acc: i / steps, lr: 0.001, m0: i, m1: i * 2, m2: i * 3, m3: i * 4, m4: i * 5, m5: i * 6, m6: i * 7 };
}

function baseline() {
  const cols = new Map();
  const stepsCol = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    const data = row(i);
    for (const key in data) {
      let col = cols.get(key);
      if (col === undefined) cols.set(key, (col = []));
      col.push(data[key]);
    }
    stepsCol.push(i);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (cols.get("m6").length !== steps) throw new Error("baseline lost values");
  return ns / steps / 1000;
}

async function sdk() {
  const run = await init({ mode: "offline", dir: tmp, project: "bench", warn: () => {} });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) run.log(row(i));
  const loopNs = Number(process.hrtime.bigint() - t0);
  await run.finish();
  const totalNs = Number(process.hrtime.bigint() - t0);
  return { perLog: loopNs / steps / 1000, endToEnd: totalNs / 1e6 };
}

// Warm both paths up (JIT), then measure them in turns (so a busy machine slows both alike), five
// times each, and keep each one's best.
baseline();
await sdk();
let base = Infinity;
let best = { perLog: Infinity, endToEnd: Infinity };
for (let round = 0; round < 5; round++) {
  base = Math.min(base, baseline());
  const r = await sdk();
  if (r.perLog < best.perLog) best = r;
}
rmSync(tmp, { recursive: true, force: true });
console.log(`node ${process.versions.node}, ${steps} steps x 10 scalars, chunks encoded ${encoderKind() === "worker" ? "on a worker thread" : "inline"}`);
console.log(`baseline loop (build row + append to per-key arrays): ${base.toFixed(3)} us/step`);
console.log(`SDK log() in the caller:                              ${best.perLog.toFixed(3)} us/step`);
console.log(`ratio SDK / baseline:                                 ${(best.perLog / base).toFixed(2)}x`);
console.log(`SDK end to end (loop + finish: Parquet chunks fsynced in the spool): ${best.endToEnd.toFixed(0)} ms`);
