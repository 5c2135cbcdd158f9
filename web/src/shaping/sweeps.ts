// A sweep's page as pure data: which state changes a sweep allows, its trials as points over time with
// the best-so-far line, the parallel-coordinates frame over parameters and metric, and how the best
// parameters' ranges read. Nothing here fetches or draws.
import type { ChartSpec } from "./chartSpec";
import { base, fmt, type Option } from "./chartOptions/common";
import { parallelChart } from "./chartOptions/relational";
import { PALETTE } from "./colors";
import { flatten, formatValue } from "./fields";
import { appendRows, emptyFrame, type Frame } from "./frame";

/** What the page offers, and the state each asks the server for (PATCH /sweeps/{id} `state`). */
export type SweepAction = "pause" | "resume" | "stop" | "cancel";
export const ACTION_STATE: Record<SweepAction, "paused" | "running" | "finished" | "cancelled"> = {
  pause: "paused",
  resume: "running",
  stop: "finished",
  cancel: "cancelled",
};
export const ACTION_LABEL: Record<SweepAction, string> = { pause: "Pause", resume: "Resume", stop: "Stop", cancel: "Cancel" };
export const ACTION_HELP: Record<SweepAction, string> = {
  pause: "Hand out no new trials until resumed; running trials go on",
  resume: "Hand out trials again",
  stop: "Hand out no new trials; running trials finish on their own",
  cancel: "Stop the running trials now and end the sweep for good",
};

// The moves the server allows (sweeps/service.py TRANSITIONS), as actions.
const ALLOWED: Record<string, SweepAction[]> = {
  running: ["pause", "stop", "cancel"],
  paused: ["resume", "stop", "cancel"],
  finished: ["resume", "cancel"],
  crashed: ["resume", "stop", "cancel"],
  cancelled: [],
};

export function allowedActions(state: string): SweepAction[] {
  return ALLOWED[state] ?? [];
}

interface TrialLike {
  run_id: string;
  state: string;
  params: Record<string, unknown>;
  metric: number | null;
  created_at: string;
  finished_at: string | null;
}

const ACTIVE = new Set(["pending", "running"]);

/** Whether the page should keep asking: the sweep may still hand out trials, or some trial still runs. */
export function sweepIsLive(state: string | undefined, counts: Record<string, number> | undefined): boolean {
  if (state === "running" || state === "paused") return true;
  return Object.entries(counts ?? {}).some(([s, n]) => ACTIVE.has(s) && n > 0);
}

/** Trials by state, the live ones first: "3 running · 12 finished · 1 failed". */
export function trialCounts(counts: Readonly<Record<string, number>>): string {
  const order = ["pending", "running", "finished", "stopped", "failed", "crashed"];
  const known = order.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  const other = Object.keys(counts).filter((s) => !order.includes(s) && counts[s]).map((s) => `${counts[s]} ${s}`);
  return [...known, ...other].join(" · ") || "no trials yet";
}

export interface TrialPoint {
  runId: string;
  /** When the trial ended (ms since the epoch); its creation time if it has no end yet. */
  t: number;
  value: number;
  state: string;
}

export interface MetricOverTime {
  /** Finished trials, by time. */
  finished: TrialPoint[];
  /** Failed, crashed and stopped trials valued by `metric.impute`, by time. */
  imputed: TrialPoint[];
  /** The best finished value so far, one step per improvement, ending at the last trial's time. */
  best: [number, number][];
  bestRunId: string | null;
}

/** The ended trials with a metric value over time, and the best-so-far line of the finished ones. */
export function metricOverTime(trials: readonly TrialLike[], goal: string | undefined): MetricOverTime {
  const maximize = goal === "maximize";
  const points: TrialPoint[] = [];
  for (const t of trials) {
    if (ACTIVE.has(t.state) || t.metric === null || !Number.isFinite(t.metric)) continue;
    const at = Date.parse(t.finished_at ?? t.created_at);
    if (Number.isFinite(at)) points.push({ runId: t.run_id, t: at, value: t.metric, state: t.state });
  }
  points.sort((a, b) => a.t - b.t || (a.runId < b.runId ? -1 : 1));
  const finished = points.filter((p) => p.state === "finished");
  const best: [number, number][] = [];
  let bestValue: number | null = null;
  let bestRunId: string | null = null;
  for (const p of finished) {
    if (bestValue === null || (maximize ? p.value > bestValue : p.value < bestValue)) {
      bestValue = p.value;
      bestRunId = p.runId;
      best.push([p.t, p.value]);
    }
  }
  const last = points[points.length - 1];
  if (bestValue !== null && last && best[best.length - 1][0] < last.t) best.push([last.t, bestValue]);
  return { finished, imputed: points.filter((p) => p.state !== "finished"), best, bestRunId };
}

/** The metric-versus-time scatter with the best-so-far step line, as an ECharts option. */
export function metricOverTimeOption(m: MetricOverTime, metric: string): Option {
  const tip = (p: { seriesName: string; value: [number, number]; data: { runId?: string } }) =>
    `${p.data.runId ? `${p.data.runId}<br/>` : ""}${p.seriesName}: ${fmt(p.value[1])}<br/>${new Date(p.value[0]).toLocaleString()}`;
  const dots = (ps: TrialPoint[]) => ps.map((p) => ({ value: [p.t, p.value], runId: p.runId }));
  return {
    ...base(),
    grid: { left: 56, right: 24, top: 34, bottom: 40 },
    legend: { top: 0, left: 56 },
    tooltip: { trigger: "item", formatter: tip },
    xAxis: { type: "time", name: "finished", nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", scale: true },
    series: [
      { name: metric, type: "scatter", symbolSize: 7, itemStyle: { color: PALETTE[0], opacity: 0.8 }, data: dots(m.finished) },
      {
        name: "imputed (failed, crashed, stopped)",
        type: "scatter",
        symbol: "emptyCircle",
        symbolSize: 7,
        itemStyle: { color: "#999999" },
        data: dots(m.imputed),
      },
      {
        name: "best so far",
        type: "line",
        step: "end",
        showSymbol: false,
        lineStyle: { width: 2, color: PALETTE[1] },
        itemStyle: { color: PALETTE[1] },
        data: m.best.map((v) => ({ value: v })),
        z: 3,
      },
    ],
  };
}

/** The trials with a metric value, one row each: their parameters (flattened to dotted paths) and the metric. */
export function trialFrame(trials: readonly TrialLike[], params: readonly string[], metric: string): Frame {
  const columns = [...params, metric];
  const frame = emptyFrame(columns);
  const rows: unknown[][] = [];
  for (const t of trials) {
    if (ACTIVE.has(t.state) || t.metric === null || !Number.isFinite(t.metric)) continue;
    const flat = flatten(t.params);
    rows.push([...params.map((p) => flat[p] ?? null), t.metric]);
  }
  return appendRows(frame, rows);
}

/**
 * Parallel coordinates over the parameters (in the order given: most important first) and the metric,
 * coloured by the metric: the workspace's parallel chart, with log-scale parameters on log axes.
 */
export function sweepParallelOption(frame: Frame, params: readonly string[], logParams: ReadonlySet<string>, metric: string): Option | null {
  if (frame.length === 0) return null;
  const spec: ChartSpec = { type: "parallel", source: { kind: "runs" }, fields: { color: metric }, dims: [...params, metric] };
  const rows = Array.from({ length: frame.length }, (_, i) => i);
  const built = parallelChart(spec, frame, rows);
  if ("error" in built) return null;
  const axes = built.option.parallelAxis as Record<string, unknown>[];
  built.option.parallelAxis = axes.map((a, j) => (j < params.length && logParams.has(params[j]) && a.type === "value" ? { ...a, type: "log" } : a));
  return built.option;
}

interface RangeLike {
  value?: unknown;
  low?: number | null;
  high?: number | null;
  median?: number | null;
  shares?: { label: string; top_share: number }[];
}

/** Where the top trials put a parameter: "1.2e-4 – 3.4e-3 (median 6.1e-4)", or "adam 80 %, sgd 20 %". */
export function describeRange(r: RangeLike): string {
  if (r.low !== null && r.low !== undefined && r.high !== null && r.high !== undefined) {
    const span = r.low === r.high ? formatValue(r.low) : `${formatValue(r.low)} – ${formatValue(r.high)}`;
    return r.median !== null && r.median !== undefined && r.low !== r.high ? `${span} (median ${formatValue(r.median)})` : span;
  }
  return (r.shares ?? []).map((s) => `${s.label} ${Math.round(s.top_share * 100)} %`).join(", ");
}

/** A correlation bar: its half-width in percent of the track, and which side of the centre it grows to. */
export function correlationBar(rho: number | null): { width: number; side: "positive" | "negative" | "none" } {
  if (rho === null || !Number.isFinite(rho) || rho === 0) return { width: 0, side: "none" };
  return { width: Math.min(1, Math.abs(rho)) * 50, side: rho > 0 ? "positive" : "negative" };
}
