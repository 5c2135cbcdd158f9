// Paths and processes shared by the tests: the repository, its Python, a free port.
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(PKG, "..", "..");
export const PYTHON = join(REPO, ".venv", "bin", "python");
export const WANLLMDB = join(REPO, ".venv", "bin", "wanllmdb");

export const pyEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PYTHONPATH: [join(REPO, "sdk"), join(REPO, "functions"), process.env["PYTHONPATH"]].filter(Boolean).join(":"),
  PYTHONUNBUFFERED: "1",
  ...extra,
});

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Run a Python snippet (or script with args) in the repository's venv; its last stdout line as JSON. */
export function python<T>(args: string[], env: Record<string, string> = {}): T {
  const r = spawnSync(PYTHON, args, { env: pyEnv(env), encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python ${args.slice(0, 2).join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const last = r.stdout.trim().split("\n").pop() ?? "null";
  return JSON.parse(last) as T;
}

/** `wanllmdb <args>`: its exit code and output. */
export function cli(args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(WANLLMDB, args, { env: pyEnv(env), encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

export interface LakeRow {
  step: number;
  key: string;
  value: number | string | null;
  text: string | null;
  attempt: number;
}

/** The run's rows as the lake holds them, without dedup (tests/lake_rows.py). */
export function lakeRows(dataDir: string, projectId: string, runId: string): { rows: LakeRow[]; chunks: number; compacted: number } {
  return python([join(PKG, "tests", "lake_rows.py"), dataDir, projectId, runId]);
}

/** How many rows each (step, key) has: every one must be 1. */
export function countsByStepKey(rows: LakeRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.step}/${r.key}`, (counts.get(`${r.step}/${r.key}`) ?? 0) + 1);
  return counts;
}
