/**
 * @wanllmdb/sdk in the browser: the same API as in Node, with the run's chunks kept in memory until
 * they are uploaded (a page closed before finish() loses what was not yet sent). Imports no node:
 * module (tests/browser.test.ts bundles this entry for the browser to check).
 */
import { Api as BaseApi, type ApiOptions } from "./api.js";
import { DEFAULT_BASE_URL, initWith, type InitOptions, type Platform } from "./init.js";
import type { Run } from "./run.js";
import { MemorySpool } from "./spool.js";

export * from "./common.js";

const browser: Platform = {
  env: () => undefined,
  openSpool: async () => new MemorySpool(),
  previousAttempt: async () => -1,
  discardSpool: async () => {},
  metadata: () => ({
    sdk: "typescript",
    runtime: typeof navigator !== "undefined" ? navigator.userAgent.slice(0, 256) : "browser",
  }),
};

/** Start a run. In the browser the spool is memory: mode "offline" keeps nothing past the page. */
export function init(opts: InitOptions = {}): Promise<Run> {
  return initWith(browser, opts);
}

export class Api extends BaseApi {
  constructor(opts: ApiOptions = {}) {
    super({ defaultBaseUrl: DEFAULT_BASE_URL, ...opts });
  }
}
