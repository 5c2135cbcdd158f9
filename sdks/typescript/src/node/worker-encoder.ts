/**
 * Chunk encoding on one shared worker thread (unref'd: it keeps no process alive). The worker loads
 * the built chunk module next to this one (dist/chunk.js); run from TypeScript sources (the tests'
 * vitest), there is none, and encoding stays inline. A worker that fails falls back to inline too.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Drained } from "../buffer.js";
import { chunkRows } from "../chunk.js";
import { inlineEncoder, type ChunkEncoder } from "../encoder.js";

// CommonJS, as `eval: true` workers are; it imports the ES module by URL.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.chunkUrl).then((chunk) => {
  parentPort.on("message", ({ id, rows, attempt }) => {
    try {
      const bytes = chunk.encodeMetricChunk(rows, attempt);
      parentPort.postMessage({ id, bytes }, [bytes.buffer]);
    } catch (err) {
      parentPort.postMessage({ id, error: String(err && err.stack || err) });
    }
  });
});
`;

type Pending = { resolve: (b: Uint8Array) => void; reject: (e: Error) => void };

class WorkerEncoder implements ChunkEncoder {
  private next = 0;
  private pending = new Map<number, Pending>();
  private broken = false;

  constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on("message", (msg: { id: number; bytes?: Uint8Array; error?: string }) => {
      const waiter = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if (msg.bytes) waiter?.resolve(new Uint8Array(msg.bytes));
      else waiter?.reject(new Error(`chunk encoding failed in the worker: ${msg.error}`));
    });
    worker.on("error", (err) => this.fail(err));
    worker.on("exit", () => this.fail(new Error("the encoding worker exited")));
  }

  private fail(err: Error): void {
    this.broken = true;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  encode(drained: Drained, attempt: number): Promise<Uint8Array> {
    if (this.broken) return inlineEncoder.encode(drained, attempt);
    const { rows, transfer } = chunkRows(drained, true);
    const id = this.next++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // a chunk in flight keeps the process alive until it is encoded
      this.worker.postMessage({ id, rows, attempt }, transfer);
    });
  }
}

let shared: ChunkEncoder | null = null;

/** The process's encoder: a worker thread when the built chunk module is there, else inline. */
export function nodeEncoder(): ChunkEncoder {
  if (shared) return shared;
  const chunkUrl = new URL("../chunk.js", import.meta.url);
  if (chunkUrl.protocol !== "file:" || !existsSync(fileURLToPath(chunkUrl)) || process.env["WANLLMDB_ENCODE_INLINE"]) {
    shared = inlineEncoder;
    return shared;
  }
  try {
    shared = new WorkerEncoder(new Worker(WORKER_SOURCE, { eval: true, workerData: { chunkUrl: chunkUrl.href } }));
  } catch {
    shared = inlineEncoder;
  }
  return shared;
}

/** Which encoder this process uses (for tests and the benchmark). */
export function encoderKind(): "worker" | "inline" {
  return nodeEncoder() instanceof WorkerEncoder ? "worker" : "inline";
}
