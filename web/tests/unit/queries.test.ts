import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { environmentManager, QueryClient, QueryObserver } from "@tanstack/react-query";
import { ApiError } from "../../src/api/client";
import { fetchMetrics, listMetricKeys } from "../../src/api/metrics";
import { getProjectByName, listProjects } from "../../src/api/projects";
import { getRun, readRunLogs, updateRun } from "../../src/api/runs";
import { shouldRetry } from "../../src/queries/client";
import { logTailQuery, readLogTail, TAIL_MS, type LogTail } from "../../src/queries/logs";
import { metricChunkQuery, POLL_MS, readMetricChunk, SYSTEM_POLL_MS, systemMetricsQuery } from "../../src/queries/metrics";
import { RUN_POLL_MS, runPagesQuery, runQuery, whileRunning } from "../../src/queries/runs";
import { projectQuery, projectsQuery } from "../../src/queries/projects";
import type { Project } from "../../src/api/types";

// The API helpers and query options against a fake fetch: what URL each call builds, and how the
// queries poll. Node has no window, so TanStack Query is told it runs in a browser (timers on).

type Handler = (req: Request) => unknown;
let calls: Request[] = [];

function serve(handler: Handler) {
  calls = [];
  vi.stubGlobal("document", { cookie: "wl_csrf=c1" }); // the client echoes it on changes
  vi.stubGlobal("fetch", async (input: Request) => {
    calls.push(input);
    return new Response(JSON.stringify(await handler(input)), { status: 200, headers: { "Content-Type": "application/json" } });
  });
}

const url = (r: Request) => {
  const u = new URL(r.url);
  return `${r.method} ${u.pathname}${u.search}`;
};
const run = { id: "r1", project_id: "p1" };

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("API helpers build the route's URL", () => {
  beforeEach(() => serve(() => ({})));

  it("names the project of a run on every run route", async () => {
    await getRun("p1", "r1");
    await readRunLogs(run, { offset: 2000, limit: 2000, search: "epoch 2" });
    await readRunLogs(run, { offset: 0, limit: 10, search: "" });
    expect(calls.map(url)).toEqual([
      "GET /api/runs/r1?project_id=p1",
      "GET /api/runs/r1/logs?offset=2000&limit=2000&search=epoch%202&project_id=p1",
      "GET /api/runs/r1/logs?offset=0&limit=10&project_id=p1",
    ]);
  });

  it("asks for metrics by key, bucketed, and for new steps only when told", async () => {
    serve((req) => (req.url.includes("metric-keys") ? { keys: ["loss"] } : { series: {} }));
    await fetchMetrics(run, ["train/loss", "lr"], "step", { after_step: 41 });
    expect(await listMetricKeys(run, "system")).toEqual(["loss"]);
    const [metrics, keys] = calls.map((c) => new URL(c.url));
    expect(metrics.pathname).toBe("/api/runs/r1/metrics");
    expect(metrics.searchParams.getAll("keys")).toEqual(["train/loss", "lr"]);
    expect(Object.fromEntries([...metrics.searchParams].filter(([k]) => k !== "keys"))).toEqual({
      x: "step",
      buckets: "1000",
      stream: "history",
      project_id: "p1",
      after_step: "41",
    });
    expect(`${keys.pathname}${keys.search}`).toBe("/api/runs/r1/metric-keys?stream=system&project_id=p1");
  });

  it("escapes names in paths and leaves out an empty search", async () => {
    await getProjectByName("ada lovelace", "a/b");
    await listProjects({ search: "" });
    await listProjects({ search: "mnist", limit: 5 });
    expect(calls.map(url)).toEqual([
      "GET /api/projects/by-name/ada%20lovelace/a%2Fb",
      "GET /api/projects?limit=100",
      "GET /api/projects?search=mnist&limit=5",
    ]);
  });

  it("sends a run's changes as a PATCH body", async () => {
    await updateRun(run, { tags: ["best"] });
    expect(url(calls[0])).toBe("PATCH /api/runs/r1?project_id=p1");
    expect(await calls[0].json()).toEqual({ tags: ["best"] });
  });
});

describe("polling", () => {
  it("polls a run only while it is running", () => {
    const every = whileRunning(1000);
    expect(every({ state: { data: { state: "running" } } })).toBe(1000);
    for (const state of ["finished", "failed", "crashed", "paused"] as const) expect(every({ state: { data: { state } } })).toBe(false);
    expect(every({ state: {} })).toBe(false);
  });

  it("stops asking for a run page's run once it has finished", async () => {
    vi.useFakeTimers();
    environmentManager.setIsServer(() => false);
    const states = ["running", "running", "finished"];
    serve(() => ({ id: "r1", project_id: "p1", state: states.shift() ?? "finished" }));
    const client = new QueryClient();
    const observer = new QueryObserver(client, runQuery("p1", "r1"));
    const seen: string[] = [];
    const stop = observer.subscribe((r) => r.data && seen.at(-1) !== r.data.state && seen.push(r.data.state));
    try {
      await vi.advanceTimersByTimeAsync(10);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(RUN_POLL_MS * 2);
      expect(calls).toHaveLength(3);
      expect(seen).toEqual(["running", "finished"]);
      // Finished: a minute later nothing more was asked.
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toHaveLength(3);
    } finally {
      stop();
      client.clear();
      environmentManager.setIsServer(() => typeof window === "undefined");
    }
  });

  it("refreshes system charts every 10 s while the run is live, and never after", () => {
    expect(systemMetricsQuery({ ...run, state: "running" }).refetchInterval).toBe(SYSTEM_POLL_MS);
    expect(systemMetricsQuery({ ...run, state: "finished" }).refetchInterval).toBe(false);
  });

  it("polls a live run's metrics, and fetches a finished run's once", () => {
    const live = metricChunkQuery(run, ["loss"], "step", true);
    const done = metricChunkQuery(run, ["loss"], "step", false);
    expect([live.refetchInterval, live.staleTime]).toEqual([POLL_MS, 0]);
    expect([done.refetchInterval, done.staleTime]).toEqual([false, Infinity]);
  });

  it("reads log pages back to back until drained, then tails only a live run", () => {
    const interval = (state: "running" | "finished", data?: Partial<LogTail>, fetchFailureCount = 0) => {
      const every = logTailQuery({ ...run, state }, "").refetchInterval as (q: unknown) => number | false;
      return every({ state: { data, fetchFailureCount } });
    };
    expect(interval("finished", { more: true })).toBe(1);
    expect(interval("running", { more: false })).toBe(TAIL_MS);
    expect(interval("finished", { more: false })).toBe(false);
    // A failed page waits for the tail's pace instead of being asked again at once.
    expect(interval("running", { more: true }, 1)).toBe(TAIL_MS);
  });
});

describe("a project opened from a list", () => {
  const listed: Project = {
    id: "p1", entity: "lab", entity_kind: "user", name: "mnist", visibility: "private", description: "", tags: [],
    created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z",
    run_counts: { running: 0, finished: 0, failed: 0, crashed: 0 }, permissions: ["project:read"],
  };

  async function open(client: QueryClient): Promise<{ first: unknown; settled: unknown }> {
    environmentManager.setIsServer(() => false);
    const observer = new QueryObserver(client, projectQuery("lab", "mnist", client));
    const first = observer.getCurrentResult().data;
    const stop = observer.subscribe(() => undefined);
    try {
      await vi.waitFor(() => expect(calls).toHaveLength(1));
      await vi.waitFor(() => expect(observer.getCurrentResult().isFetching).toBe(false));
      return { first, settled: observer.getCurrentResult().data };
    } finally {
      stop();
      client.clear();
      environmentManager.setIsServer(() => typeof window === "undefined");
    }
  }

  it("starts from the list's copy, and is still looked up by name behind the scenes", async () => {
    serve(() => ({ ...listed, description: "fresh" }));
    const client = new QueryClient();
    client.setQueryData(projectsQuery("mn").queryKey, { items: [listed], next_cursor: null });
    const { first, settled } = await open(client);
    expect(first).toEqual(listed); // drawn at once: no lookup stands between the page and its reads
    expect(calls.map(url)).toEqual(["GET /api/projects/by-name/lab/mnist"]);
    expect(settled).toEqual({ ...listed, description: "fresh" });
  });

  it("is looked up by name when no list holds it", async () => {
    serve(() => listed);
    const client = new QueryClient();
    client.setQueryData(projectsQuery("").queryKey, { items: [{ ...listed, name: "other" }], next_cursor: null });
    const { first, settled } = await open(client);
    expect(first).toBeUndefined();
    expect(settled).toEqual(listed);
  });
});

describe("incremental reads", () => {
  const bucketless = (x: number[], y: number[]) => ({ points: { x, y } });

  it("merges only the steps after the last one into a metric chunk", async () => {
    const answers = [
      { series: { loss: bucketless([0, 1, 2], [3, 2, 1]) }, last_step: 2 },
      { series: { loss: bucketless([3], [0.5]) }, last_step: 3 },
      { series: { loss: bucketless([], []) }, last_step: 3 },
    ];
    serve(() => answers.shift());
    const first = await readMetricChunk(run, ["loss", "acc"], "step");
    expect(first.series.loss.y).toEqual([3, 2, 1]);
    expect(first.series.acc.x).toEqual([]);
    const second = await readMetricChunk(run, ["loss", "acc"], "step", first);
    expect(second.series.loss.x).toEqual([0, 1, 2, 3]);
    expect(second.lastStep).toBe(3);
    expect(second.series.acc).toBe(first.series.acc);
    // Nothing new: the same object, so nothing downstream redraws.
    expect(await readMetricChunk(run, ["loss", "acc"], "step", second)).toBe(second);
    expect(calls.map((c) => new URL(c.url).searchParams.get("after_step"))).toEqual([null, "2", "3"]);
  });

  it("appends console pages from the last offset", async () => {
    const line = (n: number) => ({ line: n, text: `line ${n}`, stream: "stdout" });
    const answers = [
      { lines: [line(0), line(1)], next_offset: null },
      { lines: [line(2)], next_offset: null },
      { lines: [], next_offset: null },
    ];
    serve(() => answers.shift());
    const first = await readLogTail(run, "");
    expect([first.offset, first.more]).toEqual([2, false]);
    const second = await readLogTail(run, "", first);
    expect(second.lines.map((l) => l.line)).toEqual([0, 1, 2]);
    expect(await readLogTail(run, "", second)).toBe(second);
    expect(calls.map((c) => new URL(c.url).searchParams.get("offset"))).toEqual(["0", "2", "3"]);
  });

  it("pages the runs table by the server's cursor", () => {
    const pages = runPagesQuery("p1", { order: "-created_at" });
    const next = pages.getNextPageParam as (last: { next_cursor?: string | null }) => string | undefined;
    expect(next({ next_cursor: "c2" })).toBe("c2");
    expect(next({ next_cursor: null })).toBeUndefined();
  });
});

describe("retries", () => {
  it("retries what a retry can fix, twice at most", () => {
    expect(shouldRetry(0, new ApiError(0, "network", "down"))).toBe(true);
    expect(shouldRetry(0, new ApiError(503, "http", "busy"))).toBe(true);
    expect(shouldRetry(2, new ApiError(503, "http", "busy"))).toBe(false);
    expect(shouldRetry(0, new ApiError(404, "not_found", "no such run"))).toBe(false);
    expect(shouldRetry(0, new ApiError(401, "unauthorized", "signed out"))).toBe(false);
  });
});
