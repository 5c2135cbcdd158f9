/**
 * Where chunks are encoded. Parquet encoding is the SDK's heaviest work (~1-2 µs per value in
 * hyparquet-writer): in Node it runs on a worker thread (node/worker-encoder.ts), as the Python
 * SDK's flusher thread does, so log() and the caller's event loop never wait for it; in the browser,
 * and wherever the worker cannot start, it runs inline, a chunk at a time.
 */
import type { Drained } from "./buffer.js";
import { chunkRows, encodeMetricChunk } from "./chunk.js";

export interface ChunkEncoder {
  /** Takes ownership of `drained`; the bytes of its chunk. */
  encode(drained: Drained, attempt: number): Promise<Uint8Array>;
}

export const inlineEncoder: ChunkEncoder = {
  encode: (drained, attempt) => {
    try {
      return Promise.resolve(encodeMetricChunk(chunkRows(drained).rows, attempt));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  },
};
