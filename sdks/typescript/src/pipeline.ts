/**
 * The background side of a live run. log() only appends to the buffer; here, on a timer (or when
 * enough values are buffered), the buffer is cut into a Parquet chunk, the summary folded, and
 * chunks and metadata ops written to the spool and handed to the uploader. Nothing here throws
 * into user code: a failed spool write is retried at the next flush and warned about once.
 */
import type { Drained, MetricBuffer } from "./buffer.js";
import { inlineEncoder, type ChunkEncoder } from "./encoder.js";
import type { Spool, Op } from "./spool.js";
import type { Summary } from "./summary.js";
import type { Uploader } from "./uploader.js";

const MAX_IN_FLIGHT = 8;

export interface PipelineOptions {
  flushIntervalMs: number;
  /** Cut a chunk (in the background) once this many values are buffered. */
  flushMaxValues: number;
  warn: (message: string) => void;
  /** Where chunks are encoded (Node: a worker thread). */
  encoder?: ChunkEncoder;
}

export interface CloseResult {
  /** True when everything reached the server. */
  synced: boolean;
  /** Items left for `wanllmdb sync` (Node) or lost with the page (browser). */
  unsynced: number;
}

export class Pipeline {
  private nextOp = 1;
  private ops: Op[] = [];
  private encoded: Array<{ seq: number; drained: Drained; bytes: Promise<Uint8Array> }> = [];
  private seq = 0;
  private sentSummary = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private warned = false;

  constructor(
    private readonly spool: Spool,
    private readonly uploader: Uploader | null,
    private readonly buffer: MetricBuffer,
    private readonly summary: Summary,
    private readonly attempt: number,
    private readonly opts: PipelineOptions,
  ) {}

  start(): void {
    const timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    // A script that ends without finish() must still exit; the heartbeat tells the server it crashed.
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  submitOp(op: Op["op"], body: Record<string, unknown>): void {
    this.ops.push({ n: this.nextOp++, op, body });
    this.scheduleFlush();
  }

  /** log() calls this after each row; cheap unless the buffer is full. */
  maybeFlush(): void {
    if (this.buffer.values >= this.opts.flushMaxValues) {
      // A caller that never yields to the event loop (a tight training loop) still gets bounded
      // memory: past 4x the bound the chunk is cut here, synchronously; the rest stays in the background.
      if (this.buffer.values >= 4 * this.opts.flushMaxValues) this.cut();
      this.scheduleFlush();
    }
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setTimeout(() => {
      this.flushQueued = false;
      void this.flush();
    }, 0);
  }

  /** Cut the buffer into a chunk, numbered now; its encoding (Node: on the worker thread) is awaited in order. */
  private cut(): void {
    const drained = this.buffer.drain();
    if (drained === null) return;
    this.summary.fold(drained);
    // Backpressure: a caller that logs faster than the worker encodes pays for the encoding itself
    // once MAX_IN_FLIGHT chunks wait, so memory stays bounded (the Python SDK's wait_for_room).
    const encoder = this.encoded.length >= MAX_IN_FLIGHT ? inlineEncoder : (this.opts.encoder ?? inlineEncoder);
    const bytes = encoder.encode(drained, this.attempt);
    bytes.catch(() => {}); // awaited (and its failure handled) by flushOnce
    this.encoded.push({ seq: this.seq++, drained, bytes });
  }

  private async bytesOf(chunk: (typeof this.encoded)[number]): Promise<Uint8Array> {
    try {
      return await chunk.bytes;
    } catch (err) {
      // A worker that failed: encode here instead (the drained rows are still ours).
      if (this.opts.encoder === undefined || this.opts.encoder === inlineEncoder) throw err;
      chunk.bytes = inlineEncoder.encode(chunk.drained, this.attempt);
      return chunk.bytes;
    }
  }

  /** One flush at a time, in order; resolves when this flush (and those before it) are done. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.flushOnce());
    return this.chain;
  }

  private async flushOnce(): Promise<void> {
    try {
      this.cut();
      let wrote = await this.writeOps();
      while (this.encoded.length) {
        const chunk = this.encoded[0]!;
        const ref = await this.spool.writeChunk("history", this.attempt, chunk.seq, await this.bytesOf(chunk));
        this.encoded.shift();
        this.uploader?.addChunk(ref);
        wrote = true;
      }
      const changed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(this.summary.toJSON())) {
        const text = JSON.stringify(value);
        if (this.sentSummary.get(key) !== text) {
          changed[key] = value;
          this.sentSummary.set(key, text);
        }
      }
      if (Object.keys(changed).length) {
        this.ops.push({ n: this.nextOp++, op: "summary", body: { summary: changed } });
        wrote = (await this.writeOps()) || wrote;
      }
      if (wrote) this.uploader?.wake();
    } catch (err) {
      // A full or read-only disk: what was not written stays queued for the next flush.
      if (!this.warned) this.opts.warn(`could not write to the spool (${(err as Error).message}); will retry`);
      this.warned = true;
    }
  }

  private async writeOps(): Promise<boolean> {
    let wrote = false;
    while (this.ops.length) {
      const op = this.ops[0]!;
      await this.spool.appendOp(op);
      this.ops.shift();
      this.uploader?.addOp(op);
      wrote = true;
    }
    return wrote;
  }

  /** Final flush, the final state, then wait for uploads until `deadline` (epoch ms). */
  async close(state: Record<string, unknown>, deadline: number): Promise<CloseResult> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.flush();
    this.ops.push({ n: this.nextOp++, op: "state", body: state });
    await this.flush();
    const left = this.encoded.length + this.ops.length;
    if (this.uploader === null) return { synced: false, unsynced: left + 1 };
    this.uploader.wake();
    while (Date.now() < deadline && this.uploader.pendingCount() > 0 && !this.uploader.refused && !this.uploader.createRefused) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Within the same budget: a request hung on a silent server must not add its own timeout.
    await this.uploader.stop(Math.min(5_000, Math.max(500, deadline - Date.now())));
    const unsynced = this.uploader.pendingCount() + left;
    return { synced: unsynced === 0, unsynced };
  }
}
