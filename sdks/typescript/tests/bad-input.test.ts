// Bad input: errors that name the key, thrown synchronously by log() and friends, storing nothing.
import { describe, expect, it } from "vitest";
import { ApiError, InvalidValue, UsageError, init } from "../src/index.js";
import { inject } from "vitest";

const server = inject("server");

function offline() {
  // mode "disabled" validates exactly as a live run and needs no spool or server.
  return init({ mode: "disabled", warn: () => {} });
}

function thrown(fn: () => unknown): InvalidValue | UsageError {
  try {
    fn();
  } catch (err) {
    return err as InvalidValue;
  }
  throw new Error("expected a throw");
}

describe("bad input", () => {
  it.each([
    [{ "": 1 }, "", /empty key/],
    [{ ["k".repeat(257)]: 1 }, "k".repeat(257), /257 characters; the limit is 256/],
    [{ loss: null }, "loss", /"loss" has unsupported type null/],
    [{ loss: undefined }, "loss", /"loss" has unsupported type undefined/],
    [{ loss: [1, 2] }, "loss", /"loss" is an array of length 2/],
    [{ loss: new Float32Array(3) }, "loss", /"loss" is a Float32Array/],
    [{ when: new Date() }, "when", /"when" has unsupported type a Date/],
    [{ outer: { inner: () => 1 } }, "outer.inner", /"outer.inner" has unsupported type a function/],
    [{ outer: { "": 1 } }, "", /empty key/],
  ])("log(%j) throws InvalidValue naming the key", async (data, key, message) => {
    const run = await offline();
    const err = thrown(() => run.log(data as Record<string, unknown>));
    expect(err).toBeInstanceOf(InvalidValue);
    expect((err as InvalidValue).key).toBe(key);
    expect(err.message).toMatch(message);
    expect(run.currentStep).toBe(0); // a refused call moves nothing
  });

  it("refuses a non-object row, a bad step, and log() after finish()", async () => {
    const run = await offline();
    expect((thrown(() => run.log([1, 2] as never)) as InvalidValue).key).toBe("data");
    expect(thrown(() => run.log({ a: 1 }, { step: -1 })).message).toMatch(/step must be >= 0/);
    expect(thrown(() => run.log({ a: 1 }, { step: 1.5 })).message).toMatch(/step must be an integer/);
    await run.finish();
    expect(thrown(() => run.log({ a: 1 }))).toBeInstanceOf(UsageError);
  });

  it("stores nothing of a row with one bad value, even on the fast path", async () => {
    const dir = (await import("node:fs")).mkdtempSync((await import("node:path")).join((await import("node:os")).tmpdir(), "ts-bad-"));
    const run = await init({ mode: "offline", dir, warn: () => {} });
    run.log({ a: 1, b: 2 });
    expect(() => run.log({ a: 3, b: "x", c: null })).toThrow(/"c"/);
    expect(() => run.log({ a: 4, b: null })).toThrow(/"b"/); // a and b are known: the fast path rolls a back
    run.log({ a: 5, b: 6 });
    expect(run.summary.toJSON()).toMatchObject({ a: 5, b: 6, _step: 1 });
    await run.finish();
  });

  it("checks defineMetric, alert, config and init options", async () => {
    const run = await offline();
    expect((thrown(() => run.defineMetric("loss", { summary: "median" as never })) as InvalidValue).key).toBe("summary");
    expect(thrown(() => run.defineMetric("loss", { summary: "median" as never })).message).toMatch(/min\|max\|mean\|last\|first\|none/);
    expect((thrown(() => run.defineMetric("loss", { goal: "up" as never })) as InvalidValue).key).toBe("goal");
    expect(thrown(() => run.alert({ title: "", text: "x" })).message).toMatch(/title must be 1..63/);
    expect(thrown(() => run.alert({ title: "t", text: "x", level: "LOUD" as never })).message).toMatch(/INFO', 'WARN' or 'ERROR'/);
    run.config.update({ lr: 0.1 });
    expect(thrown(() => run.config.update({ lr: 0.2 })).message).toMatch(/lr is already 0.1.*allowValChange/);
    run.config.update({ lr: 0.2 }, { allowValChange: true });
    expect((thrown(() => run.config.update({ cb: () => 1 })) as InvalidValue).key).toBe("cb");
    await expect(init({ mode: "disabled", resume: "sometimes" as never })).rejects.toThrow(/use one of allow, must, never/);
    await expect(init({ mode: "disabled", id: "a/b" })).rejects.toThrow(/ids are 1..128/);
    await expect(init({ mode: "disabled", tags: [""] })).rejects.toThrow(/tags/);
  });

  it("fails init() with the server's refusal (a bad key), not a network error", async () => {
    const err = await init({ baseUrl: server.url, apiKey: "not-a-key", project: "x", warn: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
  });
});
