// Starts one real `wanllmdb server` (the repository's .venv) on a free loopback port with a temp
// data dir, as web/tests/e2e/harness.ts does, and hands its URL and admin API key to the tests.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, pyEnv, REPO } from "./env.js";

declare module "vitest" {
  export interface ProvidedContext {
    server: { url: string; apiKey: string; dataDir: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const candidates = [process.env["WANLLMDB_BIN"], join(REPO, ".venv", "bin", "wanllmdb")];
  const bin = candidates.find((c): c is string => !!c && existsSync(c));
  if (!bin) throw new Error(`no wanllmdb server: make the repository's .venv first (tried ${candidates.join(", ")})`);
  const port = await freePort();
  const tmp = mkdtempSync(join(tmpdir(), "wanllmdb-sdk-ts-"));
  const dataDir = join(tmp, "data");
  const logPath = join(tmp, "server.log");
  const log = openSync(logPath, "a");
  const proc = spawn(bin, ["server", "--port", String(port), "--data-dir", dataDir], {
    env: { ...pyEnv(), WANLLMDB_WEB_DIST: join(tmp, "no-web") },
    stdio: ["ignore", log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${readFileSync(logPath, "utf8")}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok && existsSync(join(dataDir, "admin-api-key"))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer in 60 s:\n${readFileSync(logPath, "utf8")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const apiKey = readFileSync(join(dataDir, "admin-api-key"), "utf8").trim();
  project.provide("server", { url, apiKey, dataDir });
  return async () => {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise<void>((ok) => {
        const t = setTimeout(() => (proc.kill("SIGKILL"), ok()), 10_000);
        proc.once("exit", () => (clearTimeout(t), ok()));
      });
    }
    if (!process.env["WANLLMDB_KEEP_TEST_DATA"]) rmSync(tmp, { recursive: true, force: true });
  };
}
