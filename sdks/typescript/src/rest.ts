/**
 * The metadata API client (docs/api-contract.md) over fetch, and the one retry policy every
 * background call uses: exponential backoff with full jitter, the server's Retry-After respected,
 * bounded by a deadline or a stop. Request and response types come from the generated OpenAPI types.
 */
import { ApiError, Transient } from "./errors.js";
import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];
export type RunInfo = Schemas["Run"];
export type RunCreateBody = Schemas["RunCreate"];
export type ProjectInfo = Schemas["Project"];
export type UploadItem = Schemas["UploadItem"];
export type Grant = Schemas["Grant"];
export type AlertBody = Schemas["AlertRequest"];
export type RunPatchBody = Schemas["RunPatch"];
export type RunListPage = Schemas["RunList"];
export type HistoryPage = Schemas["HistoryPage"];

export type Fetch = typeof fetch;

export interface ClientOptions {
  /** Per request; uploads get at least 60 s. */
  timeoutMs?: number;
  /** Another fetch (tests, proxies). */
  fetch?: Fetch;
}

export class RestClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string> = {};
  private readonly timeoutMs: number;
  private readonly fetchFn: Fetch;

  constructor(baseUrl: string, apiKey: string | undefined, opts: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    if (apiKey) this.headers["Authorization"] = `Bearer ${apiKey}`;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchFn = opts.fetch ?? ((...args) => fetch(...args));
  }

  /** One JSON call to `/api{path}`; `query` values that are undefined are left out. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string | number | undefined | null> = {},
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
    const qs = params.size ? `?${params}` : "";
    const headers: Record<string, string> = { ...this.headers };
    let data: string | undefined;
    if (body !== undefined) {
      data = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    const resp = await this.send(`${this.baseUrl}/api${path}${qs}`, { method, headers, body: data }, this.timeoutMs);
    await raiseFor(resp, `/api${path}`);
    const text = await resp.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  private async send(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    try {
      return await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // fetch rejects only for the network (refused, reset, DNS) or the timeout: always worth a retry.
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Transient(`${(err as Error).name}: ${(err as Error).message}${cause ? ` (${cause})` : ""}`);
    }
  }

  ensureProject(name: string, entity?: string | null): Promise<ProjectInfo> {
    return this.call("POST", "/projects", entity ? { name, entity } : { name });
  }

  createRun(projectId: string, body: RunCreateBody): Promise<RunInfo> {
    return this.call("POST", `/projects/${encodeURIComponent(projectId)}/runs`, body);
  }

  getRun(runId: string, projectId?: string | null): Promise<RunInfo> {
    return this.call("GET", `/runs/${encodeURIComponent(runId)}`, undefined, { project_id: projectId });
  }

  patchRun(runId: string, body: RunPatchBody, projectId?: string | null): Promise<RunInfo> {
    return this.call("PATCH", `/runs/${encodeURIComponent(runId)}`, body, { project_id: projectId });
  }

  async patchConfig(runId: string, config: Record<string, unknown>, projectId?: string | null): Promise<void> {
    // Validated locally already; allow_val_change keeps a replay from tripping on its own earlier patch.
    const body = { config, allow_val_change: true };
    await this.call("PATCH", `/runs/${encodeURIComponent(runId)}/config`, body, { project_id: projectId });
  }

  async patchSummary(runId: string, summary: Record<string, unknown>, projectId?: string | null): Promise<void> {
    await this.call("PATCH", `/runs/${encodeURIComponent(runId)}/summary`, { summary }, { project_id: projectId });
  }

  async sendAlert(runId: string, alert: AlertBody, projectId?: string | null): Promise<void> {
    await this.call("POST", `/runs/${encodeURIComponent(runId)}/alerts`, alert, { project_id: projectId });
  }

  async heartbeat(runId: string, projectId?: string | null): Promise<void> {
    await this.call("POST", `/runs/${encodeURIComponent(runId)}/heartbeat`, undefined, { project_id: projectId });
  }

  async grantUploads(runId: string, items: UploadItem[], projectId?: string | null): Promise<Grant[]> {
    const answer = await this.call<Schemas["GrantBatch"]>(
      "POST",
      `/runs/${encodeURIComponent(runId)}/uploads`,
      { items },
      { project_id: projectId },
    );
    return answer.grants;
  }

  /** PUT bytes to a presigned URL. The grant carries its own signature: no API key goes to the store. */
  async putBlob(grant: Grant, bytes: Uint8Array): Promise<void> {
    const init: RequestInit = { method: grant.method, headers: { ...grant.headers }, body: bytes as Uint8Array<ArrayBuffer> };
    const resp = await this.send(grant.url, init, Math.max(this.timeoutMs, 60_000));
    await raiseFor(resp, new URL(grant.url, this.baseUrl).pathname);
    await resp.arrayBuffer(); // drain, so the connection is reused
  }
}

async function raiseFor(resp: Response, path: string): Promise<void> {
  if (resp.status < 300) return;
  const text = await resp.text().catch(() => "");
  if (resp.status === 429 || resp.status >= 500) {
    const after = Number(resp.headers.get("retry-after"));
    throw new Transient(`HTTP ${resp.status} from ${path}`, Number.isFinite(after) && after > 0 ? after : undefined);
  }
  try {
    const err = (JSON.parse(text) as { error: { code?: string; message?: string; field?: string } }).error;
    throw new ApiError(resp.status, String(err.code ?? ""), String(err.message ?? ""), err.field ?? undefined);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(resp.status, "http", text.slice(0, 200) || resp.statusText);
  }
}

/** Cancels the waits of a retry loop: a stopped run never sits out a backoff. */
export class Stopper {
  stopped = false;
  private wakers = new Set<() => void>();

  stop(): void {
    this.stopped = true;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** Sleep `ms`; resolves true at once when stopped (before or during). */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve(this.stopped);
      };
      const timer = setTimeout(done, ms);
      // A backoff alone must not keep a Node process alive (a script that never called finish()).
      (timer as { unref?: () => void }).unref?.();
      this.wakers.add(done);
    });
  }
}

export interface RetryOptions {
  stop?: Stopper;
  /** Epoch ms after which a Transient is raised instead of waited out. */
  deadline?: number;
  maxBackoffMs?: number;
  /** Backoff base: the n-th retry waits a random time up to base * 2^n (full jitter). */
  baseMs?: number;
  /** Give up after this many tries (default: only the deadline or stop ends it). */
  maxTries?: number;
  onRetry?: (err: Transient, waitMs: number) => void;
}

/**
 * Run `fn` until it succeeds or throws something other than Transient. Full jitter spreads clients
 * that lost the server at once, so they do not come back in lockstep.
 */
export async function callWithRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const base = opts.baseMs ?? 250;
  for (let tries = 1; ; tries++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof Transient)) throw err;
      let wait = Math.random() * Math.min(maxBackoff, base * 2 ** Math.min(tries, 16));
      if (err.retryAfterS !== undefined) wait = Math.max(wait, Math.min(err.retryAfterS * 1000, maxBackoff));
      if (opts.maxTries !== undefined && tries >= opts.maxTries) throw err;
      if (opts.deadline !== undefined && Date.now() + wait > opts.deadline) throw err;
      opts.onRetry?.(err, wait);
      if (opts.stop) {
        if (await opts.stop.sleep(wait)) throw err;
      } else {
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}
