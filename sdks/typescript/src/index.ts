/**
 * @wanllmdb/sdk in Node (>= 20): runs spool to `<dir>/wanllmdb/run-*` in the Python SDK's layout, so
 * an offline run (or one whose server was away) is uploaded later by `wanllmdb sync`. Settings come
 * from init() options, else WANLLMDB_BASE_URL, WANLLMDB_API_KEY, WANLLMDB_PROJECT, WANLLMDB_ENTITY,
 * WANLLMDB_MODE and WANLLMDB_DIR.
 */
import { rm } from "node:fs/promises";
import { hostname, release, type as osType, userInfo } from "node:os";
import { Api as BaseApi, type ApiOptions } from "./api.js";
import { DEFAULT_BASE_URL, initWith, type InitOptions, type Platform } from "./init.js";
import { FsSpool } from "./node/spool.js";
import { nodeEncoder } from "./node/worker-encoder.js";
import type { Run } from "./run.js";

export * from "./common.js";

function safeUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

const node: Platform = {
  env: (name) => process.env[name] || undefined,
  openSpool: (runId, dir) => FsSpool.create(dir ?? process.cwd(), runId),
  previousAttempt: (runId, dir) => FsSpool.previousAttempt(dir ?? process.cwd(), runId),
  discardSpool: async (spool) => {
    if (spool.path) await rm(spool.path, { recursive: true, force: true });
  },
  encoder: nodeEncoder,
  metadata: () => ({
    host: hostname().slice(0, 128),
    user: safeUser(),
    os: `${osType()} ${release()}`.slice(0, 256),
    executable: process.execPath,
    argv: process.argv.slice(0, 512),
    program: process.argv[1] ?? null,
    cwd: process.cwd(),
    sdk: "typescript",
    runtime: `node ${process.versions.node}`,
  }),
  // A script that ends without finish() (its event loop ran dry) still gets its last rows flushed and
  // the run finished, as the Python SDK's atexit hook does; process.exit() skips this, as it skips
  // everything asynchronous.
  started: (run) => {
    process.once("beforeExit", () => void run.finish(process.exitCode ? Number(process.exitCode) : undefined));
  },
};

/** Start a run (see InitOptions). Resolves once the server created it, or after initTimeoutMs offline. */
export function init(opts: InitOptions = {}): Promise<Run> {
  return initWith(node, opts);
}

export class Api extends BaseApi {
  /** Defaults: WANLLMDB_BASE_URL and WANLLMDB_API_KEY. */
  constructor(opts: ApiOptions = {}) {
    super({
      defaultBaseUrl: process.env["WANLLMDB_BASE_URL"] || DEFAULT_BASE_URL,
      apiKey: process.env["WANLLMDB_API_KEY"] || undefined,
      ...opts,
    });
  }
}
