import { describe, expect, it } from "vitest";
import { concurrencyLimit } from "../../src/api/concurrency";

const later = () => {
  let resolve!: (v: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
};

describe("concurrencyLimit", () => {
  it("runs at most `limit` calls at once and starts the waiting ones in the order they asked", async () => {
    const through = concurrencyLimit(2);
    const calls = [later(), later(), later(), later()];
    const started: number[] = [];
    const results = calls.map((c, i) =>
      through(() => {
        started.push(i);
        return c.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    calls[1].resolve("b");
    await results[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    calls[0].resolve("a");
    calls[2].resolve("c");
    calls[3].resolve("d");
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it("lets the next call through when one fails", async () => {
    const through = concurrencyLimit(1);
    const failed = through(() => Promise.reject(new Error("offline")));
    const next = through(() => Promise.resolve("ok"));
    await expect(failed).rejects.toThrow("offline");
    expect(await next).toBe("ok");
  });
});
