// Starts the real things the browser test needs: a `wanllmdb server` on a free port with a
// temp data dir, the Python SDK seeding it, and headless Chromium.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO = resolve(WEB, "..");
/** The built site the server serves: web/dist, or $WANLLMDB_E2E_WEB_DIST (a build elsewhere, so a
 * suite can run against its own build while web/dist serves others on a shared checkout). */
export const WEB_DIST = process.env.WANLLMDB_E2E_WEB_DIST ?? join(WEB, "dist");
export const SHOTS = join(REPO, "test-output", "web");

/** The server command: $WANLLMDB_BIN, the repo's .venv (CI), or the shared dev venv. */
export function findServerCommand(): string | null {
  const candidates = [process.env.WANLLMDB_BIN, join(REPO, ".venv", "bin", "wanllmdb"), "/work/main/.venv/bin/wanllmdb"];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

// This checkout's packages come first, so the server and SDK under test are this checkout's
// ($WANLLMDB_E2E_SOURCE points at another checkout, to try the UI against a branch's backend).
const SOURCE = process.env.WANLLMDB_E2E_SOURCE ?? REPO;
export const pyEnv = () => ({
  ...process.env,
  PYTHONPATH: [join(SOURCE, "sdk"), join(SOURCE, "functions"), process.env.PYTHONPATH].filter(Boolean).join(":"),
  PYTHONUNBUFFERED: "1",
});

export interface Server {
  url: string;
  dataDir: string;
  /** The local admin's API key file, written at first start (sign-up is closed: it invites users). */
  adminKeyPath: string;
  logPath: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

/** `env` adds to the server's environment (e.g. WANLLMDB_OIDC_* for an SSO test). */
export async function startServer(bin: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "wanllmdb-web-e2e-"));
  const logPath = join(dataDir, "..", `${dataDir.split("/").pop()}-server.log`);
  const log = openSync(logPath, "a");
  const proc = spawn(bin, ["server", "--port", String(port), "--data-dir", join(dataDir, "data")], {
    env: { ...pyEnv(), WANLLMDB_WEB_DIST: WEB_DIST, ...env },
    stdio: ["ignore", log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${readFileSync(logPath, "utf8")}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer /api/health in 60 s:\n${readFileSync(logPath, "utf8")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill("SIGTERM");
    await new Promise<void>((ok) => {
      const t = setTimeout(() => {
        proc.kill("SIGKILL");
        ok();
      }, 10_000);
      proc.once("exit", () => {
        clearTimeout(t);
        ok();
      });
    });
  };
  return { url, dataDir, adminKeyPath: join(dataDir, "data", "admin-api-key"), logPath, proc, stop };
}

export interface Seeded {
  entity: string;
  project: string;
  username: string;
  password: string;
  runs: { id: string; name: string; config: Record<string, unknown> }[];
}

/** Logs runs through the real Python SDK (tests/web_e2e/<script>) and returns what it made. */
export function seed<T = Seeded>(bin: string, server: Server, args: string[] = [], script = "seed.py"): T {
  const python = join(dirname(bin), "python");
  script = join(REPO, "tests", "web_e2e", script);
  const r = spawnSync(python, [script, "--url", server.url, "--admin-key-file", server.adminKeyPath, ...args], {
    env: pyEnv(),
    encoding: "utf8",
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`seed.py failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as T;
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** A page of `browser` whose console errors and uncaught exceptions collect into `errors`. */
export async function watchedPage(
  browser: Browser,
  errors: string[],
  viewport = { width: 1440, height: 900 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  return page;
}

/** Signs in through the login page, as a person would, and waits for the projects list. */
export async function signIn(page: Page, server: Server, seeded: { username: string; password: string }): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.fill("input[name=username]", seeded.username);
  await page.fill("input[name=password]", seeded.password);
  await page.click("button[type=submit]");
  await page.getByRole("heading", { name: "Projects" }).waitFor();
}

/** Calls the API from the signed-in page, with its cookies and CSRF token, as the app does. */
export async function callApi<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.split("; ").find((c) => c.startsWith("wl_csrf="))?.slice(8) ?? "";
      const r = await fetch(`/api${path}`, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": decodeURIComponent(csrf) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    { method, path, body },
  ) as Promise<T>;
}
