/**
 * Where a run keeps what it has not yet uploaded. Node: a run folder in the Python SDK's spool layout
 * (node/spool.ts), so `wanllmdb sync` uploads what a TypeScript run left behind. Browser: memory.
 */

export const CHUNK_STREAMS = ["history", "system", "logs"] as const;
export type ChunkStream = (typeof CHUNK_STREAMS)[number];

/** One metadata operation, numbered in order (the Python spool's ops.jsonl lines). */
export interface Op {
  n: number;
  op: "create" | "config" | "summary" | "update" | "state" | "alert";
  body: Record<string, unknown>;
}

export interface ChunkRef {
  name: string; // <stream>-a<attempt:04>-<seq:09>.parquet, as the Python spool names it
  stream: ChunkStream;
  attempt: number;
  seq: number;
  size: number;
  sha256: string;
}

/** What reached the server (manifest.jsonl lines). */
export type DoneEntry = { op: number } | { chunk: string; key?: string } | { attempt: number };

export interface Spool {
  /** The run folder (Node), or null (memory). */
  readonly path: string | null;
  writeRecord(record: Record<string, unknown>): Promise<void>;
  appendOp(op: Op): Promise<void>;
  /** Durable before it resolves; the ref carries the checksum the grant asks for. */
  writeChunk(stream: ChunkStream, attempt: number, seq: number, bytes: Uint8Array): Promise<ChunkRef>;
  readChunk(ref: ChunkRef): Promise<Uint8Array>;
  markDone(entry: DoneEntry): Promise<void>;
}

export function chunkName(stream: string, attempt: number, seq: number): string {
  return `${stream}-a${String(attempt).padStart(4, "0")}-${String(seq).padStart(9, "0")}.parquet`;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The browser's spool: chunks live in memory until uploaded, then are let go. */
export class MemorySpool implements Spool {
  readonly path = null;
  private chunks = new Map<string, Uint8Array>();

  async writeRecord(): Promise<void> {}
  async appendOp(): Promise<void> {}

  async writeChunk(stream: ChunkStream, attempt: number, seq: number, bytes: Uint8Array): Promise<ChunkRef> {
    const name = chunkName(stream, attempt, seq);
    this.chunks.set(name, bytes);
    return { name, stream, attempt, seq, size: bytes.byteLength, sha256: await sha256Hex(bytes) };
  }

  async readChunk(ref: ChunkRef): Promise<Uint8Array> {
    const bytes = this.chunks.get(ref.name);
    if (bytes === undefined) throw new Error(`chunk ${ref.name} is not in the memory spool`);
    return bytes;
  }

  async markDone(entry: DoneEntry): Promise<void> {
    if ("chunk" in entry) this.chunks.delete(entry.chunk);
  }
}
