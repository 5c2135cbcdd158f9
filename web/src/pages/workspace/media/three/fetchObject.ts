// The page's one fetch worker (fetchWorker.ts), started with the first 3D panel and kept: each
// request gets an id, and the bytes come back transferred, not copied.
import type { FetchReply, FetchRequest } from "./fetchWorker";

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { ok: (b: ArrayBuffer) => void; fail: (e: Error) => void }>();

/** The worker, started if it is not yet (a panel starts it on mount, while its descriptor is asked for). */
export function started(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL("./fetchWorker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (e: MessageEvent<FetchReply>) => {
    const w = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if ("bytes" in e.data) w?.ok(e.data.bytes);
    else w?.fail(new Error(e.data.error));
  };
  // A worker that cannot start (its script refused or missing) fails what waits, and the next request tries anew.
  worker.onerror = () => {
    for (const w of waiting.values()) w.fail(new Error("The 3D object could not be fetched: its worker did not start."));
    waiting.clear();
    worker = null;
  };
  return worker;
}

/** The object at `url` (a presigned GET), zstd frames decoded; `size` is the decoded size when known. */
export function fetchObject(url: string, zstd: boolean, size?: number): Promise<ArrayBuffer> {
  const id = nextId++;
  return new Promise((ok, fail) => {
    waiting.set(id, { ok, fail });
    started().postMessage({ id, url, zstd, size } satisfies FetchRequest);
  });
}
