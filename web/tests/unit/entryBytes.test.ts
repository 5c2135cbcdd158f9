// Reading one artifact file's bytes through a presigned URL: a packed file is a window of its pack,
// so every request must stay inside that window, also when the store ignores Range.
import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchHead, fetchPacked, readRange, type EntrySource } from "../../src/pages/artifacts/entryBytes";

const pack = Uint8Array.from({ length: 200 }, (_, i) => i);

/** A store holding `pack`: answers Range with 206 and the window, or ignores it (200, all). */
function store(honoursRange: boolean) {
  const ranges: string[] = [];
  vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
    const range = new Headers(init.headers).get("Range") ?? "";
    ranges.push(range);
    const [lo, hi] = range.replace("bytes=", "").split("-").map(Number);
    const body = honoursRange ? pack.slice(lo, hi + 1) : pack;
    return new Response(body, { status: honoursRange ? 206 : 200 });
  });
  return ranges;
}

const src: EntrySource = { url: "http://lake/pack", offset: 100, size: 10 };

afterEach(() => vi.unstubAllGlobals());

describe("a packed file's bytes", () => {
  it("reads only its window of the pack", async () => {
    const ranges = store(true);
    const head = await fetchHead(src, 256 * 1024);
    expect([...head.bytes]).toEqual([...pack.slice(100, 110)]);
    expect(head.truncated).toBe(false);
    expect(ranges).toEqual(["bytes=100-109"]);
  });

  it("cuts its window out when the store ignores Range", async () => {
    store(false);
    expect([...(await fetchHead(src, 4)).bytes]).toEqual([100, 101, 102, 103]);
    expect([...new Uint8Array(await readRange(src, 2, 5))]).toEqual([102, 103, 104]);
    expect([...new Uint8Array(await (await fetchPacked(src)).arrayBuffer())]).toEqual([...pack.slice(100, 110)]);
  });

  it("asks seeking readers' ranges relative to the file", async () => {
    const ranges = store(true);
    expect([...new Uint8Array(await readRange(src, 6, 10))]).toEqual([106, 107, 108, 109]);
    expect(ranges).toEqual(["bytes=106-109"]);
  });

  it("reads a whole object from its start, and an empty file not at all", async () => {
    const ranges = store(true);
    const whole = await fetchHead({ url: "http://lake/blob", offset: null, size: 200 }, 50);
    expect(whole.bytes.length).toBe(50);
    expect(whole.truncated).toBe(true);
    expect((await fetchHead({ ...src, size: 0 }, 50)).bytes.length).toBe(0);
    expect(ranges).toEqual(["bytes=0-49"]);
  });
});
