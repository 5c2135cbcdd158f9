/**
 * A run folder in the Python SDK's spool layout (sdk/wanllmdb/ingest/spool.py), so `wanllmdb sync`
 * (and `wanllmdb status`) treat a TypeScript run like a Python one:
 *
 *   <dir>/wanllmdb/run-<YYYYMMDD_HHMMSS>-<id>/
 *     run.json         who the run is and where it goes (written atomically)
 *     ops.jsonl        metadata operations in order: create, config, summary, alert, state
 *     chunks/          <stream>-a<attempt:04d>-<seq:09d>.parquet, each fsynced before its rename
 *     checksums.jsonl  {"chunk", "sha256", "size"} of each chunk, appended before its rename
 *     files/           (empty: the TypeScript SDK saves no run files)
 *     manifest.jsonl   what reached the server: {"op": n} | {"chunk": name, "key": k} | {"attempt": n}
 *
 * Unlike the Python SDK, a live Node process holds no flock on `.lock`: do not `wanllmdb sync` a run
 * folder while its process is still running.
 */
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { chunkName, sha256Hex, type ChunkRef, type ChunkStream, type DoneEntry, type Op, type Spool } from "../spool.js";

async function writeAtomic(path: string, data: Uint8Array | string, beforeRename?: () => Promise<void>): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const tmp = join(dir, `.${path.slice(dir.length + 1)}.tmp-${process.pid}`);
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (beforeRename) await beforeRename();
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function appendLine(path: string, item: unknown): Promise<void> {
  const fh = await open(path, "a");
  try {
    await fh.writeFile(JSON.stringify(item) + "\n");
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export class FsSpool implements Spool {
  private constructor(readonly path: string) {}

  /** A fresh run folder under `<dir>/wanllmdb/`; a second one within the same second gets `_<n>`. */
  static async create(dir: string, runId: string): Promise<FsSpool> {
    const root = join(dir, "wanllmdb");
    await mkdir(root, { recursive: true });
    const base = `run-${stamp(new Date())}`;
    for (let n = 0; ; n++) {
      const path = join(root, `${n ? `${base}_${n}` : base}-${runId}`);
      try {
        await mkdir(path); // not recursive: fails when it exists, so two runs never share a folder
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
        throw err;
      }
      await mkdir(join(path, "chunks"));
      await mkdir(join(path, "files"));
      return new FsSpool(path);
    }
  }

  /** The highest attempt an earlier spool of this run id made under `dir` (-1: none). */
  static async previousAttempt(dir: string, runId: string): Promise<number> {
    const root = join(dir, "wanllmdb");
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
      return -1;
    }
    let top = -1;
    for (const name of names.filter((n) => n.startsWith("run-") && n.endsWith(`-${runId}`))) {
      try {
        const record = JSON.parse(await readFile(join(root, name, "run.json"), "utf8")) as { attempt?: number };
        top = Math.max(top, Number(record.attempt ?? 0));
      } catch {
        // a folder without a readable run.json is no run
      }
    }
    return top;
  }

  writeRecord(record: Record<string, unknown>): Promise<void> {
    return writeAtomic(join(this.path, "run.json"), JSON.stringify(record, null, 1));
  }

  appendOp(op: Op): Promise<void> {
    return appendLine(join(this.path, "ops.jsonl"), { n: op.n, op: op.op, body: op.body });
  }

  async writeChunk(stream: ChunkStream, attempt: number, seq: number, bytes: Uint8Array): Promise<ChunkRef> {
    const name = chunkName(stream, attempt, seq);
    const sha256 = await sha256Hex(bytes);
    const size = bytes.byteLength;
    // The checksum line lands before the chunk's final name, as the Python spool does: sync checks it.
    await writeAtomic(join(this.path, "chunks", name), bytes, () =>
      appendLine(join(this.path, "checksums.jsonl"), { chunk: name, sha256, size }),
    );
    return { name, stream, attempt, seq, size, sha256 };
  }

  async readChunk(ref: ChunkRef): Promise<Uint8Array> {
    return new Uint8Array(await readFile(join(this.path, "chunks", ref.name)));
  }

  markDone(entry: DoneEntry): Promise<void> {
    return appendLine(join(this.path, "manifest.jsonl"), entry);
  }
}
