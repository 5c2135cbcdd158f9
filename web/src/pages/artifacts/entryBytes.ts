// The bytes of one artifact file through its presigned GET. A small file kept in a pack shares the
// pack's URL: its bytes are `size` from `offset`, so every read is a Range inside that window and
// never runs into the next file.

/** Where a file's bytes are: a whole object (`offset` 0, not packed), or a window of a pack. */
export interface EntrySource {
  url: string;
  /** Set for a packed file: where its bytes start in the pack. */
  offset: number | null | undefined;
  size: number | null | undefined;
}

export interface Head {
  bytes: Uint8Array;
  /** The file goes on past the bytes read. */
  truncated: boolean;
}

export const isPacked = (src: EntrySource): boolean => src.offset != null;

/**
 * `length` bytes of the file from `start` (or to its end), as one ranged request. A store that
 * ignores Range answers 200 with the whole object: the window is cut out of it here.
 */
async function readWindow(src: EntrySource, start: number, length: number | null): Promise<Response> {
  const base = src.offset ?? 0;
  const end = length == null ? "" : String(base + start + length - 1);
  // No cookies: a presigned URL carries its own authority, and the lake may be another origin.
  const res = await fetch(src.url, { headers: { Range: `bytes=${base + start}-${end}` }, credentials: "omit" });
  if (!res.ok) throw new Error(`the file could not be read (${res.status})`);
  return res;
}

async function collect(res: Response, skip: number, cap: number): Promise<{ bytes: Uint8Array; got: number }> {
  const reader = res.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), got: 0 };
  const chunks: Uint8Array[] = [];
  let got = 0;
  let skipped = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let block = value;
    if (skipped < skip) {
      const drop = Math.min(skip - skipped, block.length);
      skipped += drop;
      block = block.subarray(drop);
    }
    chunks.push(block);
    got += block.length;
    if (got >= cap) {
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(got, cap));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, Math.min(c.length, bytes.length - at));
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  return { bytes, got };
}

/** The first bytes of a file, read no further than `cap` (nor past its end in a pack). */
export async function fetchHead(src: EntrySource, cap: number): Promise<Head> {
  const want = src.size != null ? Math.min(cap, src.size) : cap;
  if (want === 0) return { bytes: new Uint8Array(), truncated: false };
  const res = await readWindow(src, 0, want);
  const skip = res.status === 206 ? 0 : (src.offset ?? 0);
  const { bytes, got } = await collect(res, skip, want);
  return { bytes, truncated: src.size != null ? src.size > bytes.length : got >= cap };
}

/** A packed file whole, as a Blob (packed files are small: the SDK packs only those under 1 MiB). */
export async function fetchPacked(src: EntrySource, type = "application/octet-stream"): Promise<Blob> {
  const size = src.size ?? 0;
  if (size === 0) return new Blob([], { type });
  const res = await readWindow(src, 0, size);
  const { bytes } = await collect(res, res.status === 206 ? 0 : (src.offset ?? 0), size);
  return new Blob([bytes.slice()], { type });
}

/** Bytes [start, end) of the file, for readers that seek (hyparquet reads a Parquet footer first). */
export async function readRange(src: EntrySource, start: number, end: number): Promise<ArrayBuffer> {
  const res = await readWindow(src, start, end - start);
  const skip = res.status === 206 ? 0 : (src.offset ?? 0) + start;
  const { bytes } = await collect(res, skip, end - start);
  return bytes.slice().buffer;
}
