// Fetches a logged 3D object off the main thread and decodes zstd point data as it streams in.
// A million xyzrgb points are 24 MB: fzstd decodes them in ~250 ms streamed (a one-shot call into
// one big buffer takes over twice that), time the page's main thread does not lose.
import { Decompress } from "fzstd";

export interface FetchRequest {
  id: number;
  url: string;
  zstd: boolean;
  /** The decoded size the descriptor announces (points x stride x 4), when known. */
  size?: number;
}
export type FetchReply = { id: number; bytes: ArrayBuffer } | { id: number; error: string };

async function read({ url, zstd, size }: FetchRequest): Promise<ArrayBuffer> {
  const r = await fetch(url, { credentials: "omit" });
  if (!r.ok || !r.body) throw new Error(`The 3D object could not be downloaded (${r.status}).`);
  if (!zstd) return r.arrayBuffer();
  // Written in place while the descriptor's size holds; past it (or without one), kept and joined.
  let out = size ? new Uint8Array(size) : null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const decoder = new Decompress((c) => {
    if (out && total + c.length > out.length) {
      chunks.push(out.subarray(0, total));
      out = null;
    }
    if (out) out.set(c, total);
    else chunks.push(c.slice());
    total += c.length;
  });
  const reader = r.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    decoder.push(value);
  }
  decoder.push(new Uint8Array(0), true);
  if (out && total === out.length) return out.buffer;
  if (out) chunks.push(out.subarray(0, total));
  const joined = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    joined.set(c, at);
    at += c.length;
  }
  return joined.buffer;
}

self.onmessage = async (e: MessageEvent<FetchRequest>) => {
  const { id } = e.data;
  try {
    const bytes = await read(e.data);
    self.postMessage({ id, bytes } satisfies FetchReply, { transfer: [bytes] });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies FetchReply);
  }
};
