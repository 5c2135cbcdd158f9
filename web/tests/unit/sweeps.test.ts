import { describe, expect, it } from "vitest";
import {
  allowedActions,
  correlationBar,
  describeRange,
  metricOverTime,
  metricOverTimeOption,
  sweepIsLive,
  sweepParallelOption,
  trialCounts,
  trialFrame,
} from "../../src/shaping/sweeps";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
const trial = (run_id: string, state: string, metric: number | null, minute: number, params: Record<string, unknown> = {}) => ({
  run_id,
  state,
  metric,
  params,
  created_at: at(minute - 1),
  finished_at: state === "pending" || state === "running" ? null : at(minute),
});

describe("sweep state controls", () => {
  it("offers the moves the server allows from each state", () => {
    expect(allowedActions("running")).toEqual(["pause", "stop", "cancel"]);
    expect(allowedActions("paused")).toEqual(["resume", "stop", "cancel"]);
    expect(allowedActions("finished")).toEqual(["resume", "cancel"]);
    expect(allowedActions("crashed")).toEqual(["resume", "stop", "cancel"]);
    expect(allowedActions("cancelled")).toEqual([]);
    expect(allowedActions("something-new")).toEqual([]);
  });

  it("polls while the sweep hands out trials or a trial still runs", () => {
    expect(sweepIsLive("running", {})).toBe(true);
    expect(sweepIsLive("paused", { finished: 3 })).toBe(true);
    expect(sweepIsLive("finished", { finished: 3, running: 1 })).toBe(true);
    expect(sweepIsLive("cancelled", { pending: 1 })).toBe(true);
    expect(sweepIsLive("finished", { finished: 3, running: 0, failed: 1 })).toBe(false);
    expect(sweepIsLive(undefined, undefined)).toBe(false);
  });

  it("counts trials live ones first", () => {
    expect(trialCounts({ finished: 12, running: 3, failed: 1, pending: 0 })).toBe("3 running · 12 finished · 1 failed");
    expect(trialCounts({})).toBe("no trials yet");
  });
});

describe("metric over time", () => {
  const trials = [
    trial("a", "finished", 3, 1),
    trial("b", "finished", 5, 2),
    trial("c", "crashed", 9, 3),
    trial("d", "finished", 1, 4),
    trial("e", "running", 0.5, 5),
    trial("f", "pending", null, 6),
    trial("g", "finished", 2, 7),
  ];

  it("steps the best-so-far line down at each improvement of a finished trial, to the last trial's time", () => {
    const m = metricOverTime(trials, "minimize");
    expect(m.finished.map((p) => p.runId)).toEqual(["a", "b", "d", "g"]);
    expect(m.imputed.map((p) => p.runId)).toEqual(["c"]);
    expect(m.best).toEqual([
      [Date.parse(at(1)), 3],
      [Date.parse(at(4)), 1],
      [Date.parse(at(7)), 1],
    ]);
    expect(m.bestRunId).toBe("d");
  });

  it("steps up when the goal is to maximize, and never counts an imputed value as best", () => {
    const m = metricOverTime(trials, "maximize");
    expect(m.best.map(([, v]) => v)).toEqual([3, 5, 5]);
    expect(m.bestRunId).toBe("b");
  });

  it("orders by end time, whatever order the trials come in", () => {
    const m = metricOverTime([...trials].reverse(), "minimize");
    expect(m.finished.map((p) => p.runId)).toEqual(["a", "b", "d", "g"]);
  });

  it("draws finished trials, imputed ones apart, and the line as one option", () => {
    const option = metricOverTimeOption(metricOverTime(trials, "minimize"), "loss") as { series: { type: string; data: unknown[]; step?: string }[] };
    expect(option.series.map((s) => s.type)).toEqual(["scatter", "scatter", "line"]);
    expect(option.series.map((s) => s.data.length)).toEqual([4, 1, 3]);
    expect(option.series[2].step).toBe("end");
  });

  it("has no line before a trial finishes", () => {
    const m = metricOverTime([trial("x", "running", null, 1), trial("y", "failed", 4, 2)], "minimize");
    expect(m.best).toEqual([]);
    expect(m.bestRunId).toBeNull();
    expect(m.imputed).toHaveLength(1);
  });
});

describe("parallel coordinates", () => {
  const trials = [
    trial("a", "finished", 0.3, 1, { optimizer: { lr: 1e-3, name: "adam" }, layers: 2 }),
    trial("b", "finished", 0.9, 2, { optimizer: { lr: 1e-1, name: "sgd" }, layers: 4 }),
    trial("c", "running", null, 3, { optimizer: { lr: 1e-2, name: "sgd" }, layers: 3 }),
    trial("d", "failed", 1.5, 4, { optimizer: { lr: 1e-5, name: "adam" } }),
  ];
  const params = ["optimizer.lr", "optimizer.name", "layers"];

  it("has one row per ended trial with a value, nested parameters by their dotted path", () => {
    const frame = trialFrame(trials, params, "loss");
    expect(frame.columns).toEqual([...params, "loss"]);
    expect(frame.length).toBe(3);
    expect(frame.cols["optimizer.lr"]).toEqual([1e-3, 1e-1, 1e-5]);
    expect(frame.cols["optimizer.name"]).toEqual(["adam", "sgd", "adam"]);
    expect(frame.cols.layers).toEqual([2, 4, null]);
    expect(frame.cols.loss).toEqual([0.3, 0.9, 1.5]);
  });

  it("reuses the workspace's parallel chart, with log-scale parameters on log axes and the metric as colour", () => {
    const frame = trialFrame(trials, params, "loss");
    const option = sweepParallelOption(frame, params, new Set(["optimizer.lr"]), "loss") as {
      parallelAxis: { name: string; type: string }[];
      series: { type: string; data: unknown[] }[];
      visualMap: { dimension: number };
    };
    expect(option.parallelAxis.map((a) => [a.name, a.type])).toEqual([
      ["optimizer.lr", "log"],
      ["optimizer.name", "category"],
      ["layers", "value"],
      ["loss", "value"],
    ]);
    expect(option.series[0].type).toBe("parallel");
    expect(option.series[0].data).toHaveLength(3);
    expect(option.visualMap.dimension).toBe(4);
  });

  it("draws nothing without a row", () => {
    expect(sweepParallelOption(trialFrame([trials[2]], params, "loss"), params, new Set(), "loss")).toBeNull();
  });
});

describe("best parameters and bars", () => {
  it("reads a numeric range with its median, a point, and category shares", () => {
    expect(describeRange({ low: 0.0001, high: 0.003, median: 0.0006 })).toBe("1.000e-4 – 0.003 (median 6.000e-4)");
    expect(describeRange({ low: 4, high: 4, median: 4 })).toBe("4");
    expect(describeRange({ low: null, high: null, shares: [{ label: "adam", top_share: 0.8 }, { label: "sgd", top_share: 0.2 }] })).toBe(
      "adam 80 %, sgd 20 %",
    );
  });

  it("grows a correlation bar from the centre towards its sign", () => {
    expect(correlationBar(0.5)).toEqual({ width: 25, side: "positive" });
    expect(correlationBar(-1)).toEqual({ width: 50, side: "negative" });
    expect(correlationBar(null)).toEqual({ width: 0, side: "none" });
    expect(correlationBar(0)).toEqual({ width: 0, side: "none" });
  });
});
