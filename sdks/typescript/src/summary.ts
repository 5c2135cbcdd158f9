/**
 * run.summary: the last value per key by default, or what defineMetric() asked (min, max, mean,
 * first), computed in the SDK as the Python SDK does (sdk/wanllmdb/summary.py) and sent as summary
 * patches; explicit summary.update() values win. Folded when a chunk is cut, never in log().
 */
import type { Column, Drained, MetricBuffer } from "./buffer.js";
import { InvalidValue } from "./errors.js";
import type { MetricRules, SummaryMode } from "./rules.js";

/** The summary key that carries defineMetric(stepMetric) to the server, as the Python SDK sends it. */
export const STEP_METRICS_KEY = "_step_metrics";

class Agg {
  count = 0;
  finite = 0; // NaN is stored as data but kept out of min, max and mean
  first = NaN;
  last = NaN;
  lastStep = -1; // `last` is the value at the highest step (the lake's latest-step view)
  min = Infinity;
  max = -Infinity;
  total = 0;

  clone(): Agg {
    return Object.assign(new Agg(), this);
  }

  add(col: Column, steps: number[], full: boolean): void {
    const { rows, vals } = col;
    if (vals.length === 0) return;
    if (this.count === 0) this.first = vals[0]!;
    for (let i = 0; i < vals.length; i++) {
      const step = steps[rows[i]!]!;
      // Of several values at the top step, the one logged last wins (a later log() overwrites).
      if (step >= this.lastStep) {
        this.lastStep = step;
        this.last = vals[i]!;
      }
    }
    this.count += vals.length;
    if (!full) return; // min/max/mean only for keys that asked: they cost a pass over the values
    for (const v of vals) {
      if (Number.isNaN(v)) continue;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      this.total += v;
      this.finite++;
    }
  }

  value(mode: SummaryMode): number {
    switch (mode) {
      case "mean":
        return this.finite ? this.total / this.finite : NaN;
      case "min":
        return this.min;
      case "max":
        return this.max;
      case "first":
        return this.first;
      default:
        return this.last;
    }
  }
}

export class Summary {
  private aggs = new Map<string, Agg>();
  private texts = new Map<string, [number, string]>();
  private explicit = new Map<string, unknown>();
  /** Highest step cut into a chunk so far: the summary's `_step`, where a resume continues. */
  maxStep = -1;

  constructor(
    private readonly buffer: MetricBuffer,
    private readonly rules: MetricRules,
  ) {}

  /** Fold a drained buffer (called when a chunk is cut). */
  fold(drained: Drained): void {
    for (const s of drained.steps) if (s > this.maxStep) this.maxStep = s;
    for (const [key, col] of drained.columns) {
      let agg = this.aggs.get(key);
      if (agg === undefined) this.aggs.set(key, (agg = new Agg()));
      agg.add(col, drained.steps, this.needsFull(key));
    }
    for (const [row, key, text] of drained.texts) foldText(this.texts, key, drained.steps[row]!, text);
  }

  private needsFull(key: string): boolean {
    const rule = this.rules.size ? this.rules.forKey(key) : null;
    return rule !== null && rule.summary.some((m) => m === "min" || m === "max" || m === "mean");
  }

  /** Explicit values; they win over what log() computes. Keys must be non-empty strings. */
  update(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!key) throw new InvalidValue("summary: keys must be non-empty strings", key);
      if (value === undefined || typeof value === "function" || typeof value === "symbol") {
        throw new InvalidValue(`summary: ${JSON.stringify(key)} has a ${typeof value} value; give a JSON value`, key);
      }
      this.explicit.set(key, value);
    }
  }

  get(key: string): unknown {
    return this.toJSON()[key];
  }

  /** The summary as the server stores it: folded chunks plus what is still buffered. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const pending = this.buffer.peek();
    const lastTexts = new Map(this.texts);
    for (const [row, key, text] of pending.texts) foldText(lastTexts, key, pending.steps[row]!, text);
    const keys = new Set([...this.aggs.keys(), ...pending.columns.keys(), ...lastTexts.keys()]);
    for (const key of keys) {
      const agg = this.aggs.get(key)?.clone() ?? new Agg();
      const col = pending.columns.get(key);
      if (col !== undefined) agg.add(col, pending.steps, this.needsFull(key));
      const rule = this.rules.size ? this.rules.forKey(key) : null;
      const modes: SummaryMode[] = rule ? rule.summary : ["last"];
      if (modes.includes("none") || rule?.hidden) continue;
      const text = lastTexts.get(key);
      if (text !== undefined && (agg.count === 0 || text[0] >= agg.lastStep)) {
        out[key] = text[1]; // a string's summary is its last value, whatever the modes
        continue;
      }
      out[key] =
        modes.length === 1 && modes[0] === "last"
          ? agg.last
          : Object.fromEntries(modes.map((m) => [m, agg.value(m)]));
    }
    for (const [key, value] of this.explicit) out[key] = value;
    const step = Math.max(this.maxStep, this.buffer.maxStep() ?? -1);
    if (step >= 0) out["_step"] = step;
    const axes = this.rules.size ? this.rules.stepMetricMap() : {};
    if (Object.keys(axes).length) out[STEP_METRICS_KEY] = axes;
    return out;
  }
}

function foldText(last: Map<string, [number, string]>, key: string, step: number, text: string): void {
  const held = last.get(key);
  if (held === undefined || step >= held[0]) last.set(key, [step, text]);
}
