/**
 * Pushes a run's spool to the server, the way the Python SDK's SpoolUploader does
 * (sdk/wanllmdb/ingest/uploader.py): metadata ops in order (consecutive summaries merged), then
 * chunks through upload grants (at most 100 per POST /runs/{id}/uploads), then the final state.
 *
 * Every step is idempotent. A chunk's key is chosen by the server from (run, stream, attempt, seq):
 * a chunk PUT again after a lost answer overwrites the same object with the same bytes, so it is
 * never a duplicate. A PUT that fails is tried again in place (same grant) with backoff and jitter;
 * after that the batch asks for fresh grants. Nothing here throws into user code: a refusal is
 * logged once and the item stays in the spool.
 */
import { ApiError, Transient } from "./errors.js";
import { callWithRetry, Stopper, type RestClient, type RunInfo, type UploadItem } from "./rest.js";
import type { ChunkRef, Op, Spool } from "./spool.js";

const PUT_TRIES = 4;
const TERMINAL = new Set(["finished", "failed", "crashed"]);

export interface UploaderOptions {
  batch?: number;
  maxBackoffMs?: number;
  warn?: (message: string) => void;
}

export class Uploader {
  projectId: string | null = null;
  run: RunInfo | null = null;
  /** 401/403: nothing more is sent until the key is fixed; the spool keeps everything. */
  refused = false;
  createRefused = false;
  readonly skipped = new Set<string>();
  private ops: Op[] = [];
  private chunks: ChunkRef[] = [];
  private readonly stopper = new Stopper();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private loop: Promise<void> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private readonly batch: number;
  private readonly maxBackoffMs: number;
  private readonly warn: (message: string) => void;

  constructor(
    private readonly spool: Spool,
    readonly client: RestClient,
    readonly runId: string,
    opts: UploaderOptions = {},
  ) {
    this.batch = Math.min(opts.batch ?? 100, 100);
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.warn = opts.warn ?? ((m) => console.warn(`wanllmdb: ${m}`));
  }

  addOp(op: Op): void {
    this.ops.push(op);
  }

  addChunk(ref: ChunkRef): void {
    this.chunks.push(ref);
  }

  pendingCount(): number {
    return this.ops.length + this.chunks.length;
  }

  // -- the live loop ---------------------------------------------------------------------------------
  start(intervalMs: number, heartbeatMs: number): void {
    this.loop = this.runLoop(intervalMs);
    const timer = setInterval(() => void this.heartbeat(), heartbeatMs);
    (timer as { unref?: () => void }).unref?.();
    this.heartbeatTimer = timer;
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** End the loop and any backoff in progress; waits at most `timeoutMs` for a request in flight. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopper.stop();
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.wake();
    if (this.loop) await Promise.race([this.loop, new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  private async runLoop(intervalMs: number): Promise<void> {
    while (!this.stopper.stopped) {
      if (!this.woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, intervalMs);
          (timer as { unref?: () => void }).unref?.(); // the loop alone keeps no Node process alive
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wakeUp = done;
        });
        this.wakeUp = null;
      }
      this.woken = false;
      if (this.stopper.stopped) break;
      try {
        await this.drain();
      } catch (err) {
        if (!(err instanceof Transient)) this.warn(`upload failed (${(err as Error).message}); will retry`);
      }
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.projectId === null || this.stopper.stopped) return;
    try {
      await this.client.heartbeat(this.runId, this.projectId);
    } catch {
      // a missed heartbeat is harmless: the next one comes
    }
  }

  // -- the drain ---------------------------------------------------------------------------------------
  /** Push everything pending; true when nothing is left. Throws Transient when the deadline passes. */
  async drain(deadline?: number): Promise<boolean> {
    if (this.refused || this.createRefused) return false;
    for (const op of coalesceSummaries(this.ops.filter((o) => o.op !== "state"))) {
      await this.retry(() => this.applyOp(op), deadline);
      if (this.createRefused || this.refused) return false;
    }
    while (this.chunks.length) {
      const batch = this.chunks.slice(0, this.batch);
      await this.retry(() => this.uploadLeft(batch), deadline);
      if (this.refused) return false;
    }
    // A closed run takes no uploads: the final state goes last.
    for (const op of this.ops.filter((o) => o.op === "state")) await this.retry(() => this.applyOp(op), deadline);
    return !this.refused && this.pendingCount() === 0;
  }

  private retry(fn: () => Promise<void>, deadline: number | undefined): Promise<void> {
    return callWithRetry(fn, { stop: this.stopper, deadline, maxBackoffMs: this.maxBackoffMs });
  }

  private async done(op: Op & { merged?: number[] }): Promise<void> {
    const numbers = new Set(op.merged ?? [op.n]);
    this.ops = this.ops.filter((o) => !numbers.has(o.n));
    for (const n of numbers) await this.spool.markDone({ op: n });
  }

  private async applyOp(op: Op & { merged?: number[] }): Promise<void> {
    if (!this.ops.some((o) => o.n === op.n)) return; // done by an earlier try
    const body = op.body;
    try {
      switch (op.op) {
        case "create":
          await this.create(body);
          break;
        case "config":
          await this.client.patchConfig(this.runId, body["config"] as Record<string, unknown>, this.projectId);
          break;
        case "summary":
          await this.client.patchSummary(this.runId, body["summary"] as Record<string, unknown>, this.projectId);
          break;
        case "alert":
          await this.client.sendAlert(this.runId, body as never, this.projectId);
          break;
        case "update":
        case "state":
          await this.patch(body);
          break;
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (this.refusal(err)) return;
      this.warn(`server refused ${op.op} for run ${this.runId} (${err.message}); left in the spool`);
      for (const n of op.merged ?? [op.n]) this.skipped.add(String(n));
      this.ops = this.ops.filter((o) => !(op.merged ?? [op.n]).includes(o.n));
      if (op.op === "create") this.createRefused = true;
      return;
    }
    await this.done(op);
  }

  /** Ensure the project, then create (or resume) the run. init() calls it first, with a short deadline. */
  async create(body: Record<string, unknown>): Promise<RunInfo> {
    const project = await this.client.ensureProject(String(body["project"]), body["entity"] as string | null);
    this.projectId = String(project.id);
    // The create carries a resume_token: the server answers a retry of this same create with 200, so
    // a 409 means another create owns this id, and that run is never adopted.
    this.run = await this.client.createRun(this.projectId, body["run"] as never);
    return this.run;
  }

  /** The create op applied by init() directly: mark it done. */
  async createdByInit(op: Op): Promise<void> {
    await this.done(op);
  }

  private async patch(body: Record<string, unknown>): Promise<void> {
    try {
      await this.client.patchRun(this.runId, body as never, this.projectId);
    } catch (err) {
      // Already in that terminal state (a replayed finish): nothing to do.
      if (err instanceof ApiError && err.status === 409 && TERMINAL.has(String(body["state"]))) {
        const run = await this.client.getRun(this.runId, this.projectId);
        if (TERMINAL.has(run.state)) return;
      }
      throw err;
    }
  }

  /** Upload what of `batch` is still pending: a batch retried after one failed PUT sends only the rest. */
  private async uploadLeft(batch: ChunkRef[]): Promise<void> {
    const left = batch.filter((c) => this.chunks.includes(c));
    if (left.length) await this.upload(left);
  }

  private async upload(refs: ChunkRef[]): Promise<void> {
    const items: UploadItem[] = refs.map((r) => ({
      kind: r.stream,
      size: r.size,
      sha256: r.sha256,
      seq: r.seq,
      attempt: r.attempt,
    }));
    let grants;
    try {
      grants = await this.client.grantUploads(this.runId, items, this.projectId);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (this.refusal(err)) return;
      if (err.status === 409) {
        // The run left `running` (finished, or marked crashed while we were away): a resume reopens it.
        await this.reopen();
        grants = await this.client.grantUploads(this.runId, items, this.projectId);
      } else if (refs.length > 1) {
        // The server validates a batch whole: ask one by one, so one refused item holds back no other.
        for (const ref of refs) await this.upload([ref]);
        return;
      } else {
        this.warn(`upload grant refused for chunk ${refs[0]!.name} of run ${this.runId} (${err.message})`);
        this.skipped.add(refs[0]!.name);
        this.chunks = this.chunks.filter((c) => c !== refs[0]);
        return;
      }
    }
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const grant = grants[i]!;
      await this.put(grant, await this.spool.readChunk(ref));
      await this.spool.markDone({ chunk: ref.name, key: grant.key });
      this.chunks = this.chunks.filter((c) => c !== ref);
    }
  }

  /** One PUT, tried again in place a few times on a 5xx/429 or a dropped connection. */
  private put(grant: Parameters<RestClient["putBlob"]>[0], bytes: Uint8Array): Promise<void> {
    return callWithRetry(() => this.client.putBlob(grant, bytes), {
      stop: this.stopper,
      maxTries: PUT_TRIES,
      baseMs: 100,
      maxBackoffMs: this.maxBackoffMs,
    });
  }

  private async reopen(): Promise<void> {
    const body = { id: this.runId, resume: "allow", resume_token: randomToken() };
    this.run = await this.client.createRun(this.projectId!, body as never);
    await this.spool.markDone({ attempt: Number(this.run.attempt ?? 0) });
  }

  private refusal(err: ApiError): boolean {
    if (err.status !== 401 && err.status !== 403) return false;
    if (!this.refused) {
      const where = this.spool.path ? `; data stays in ${this.spool.path}: fix the key, then \`wanllmdb sync\`` : "";
      this.warn(`the server refused the API key (${err.message})${where}`);
    }
    this.refused = true;
    return true;
  }
}

/** Consecutive summary ops as one: the server merges a summary patch key by key, later keys win. */
function coalesceSummaries(ops: Op[]): Array<Op & { merged?: number[] }> {
  const out: Array<Op & { merged?: number[] }> = [];
  for (const op of ops) {
    const last = out[out.length - 1];
    if (op.op === "summary" && last?.op === "summary") {
      const merged = { ...(last.body["summary"] as object), ...(op.body["summary"] as object) };
      out[out.length - 1] = { n: op.n, op: "summary", body: { summary: merged }, merged: [...(last.merged ?? [last.n]), op.n] };
    } else out.push(op);
  }
  return out;
}

export function randomToken(bytes = 16): string {
  const raw = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}
