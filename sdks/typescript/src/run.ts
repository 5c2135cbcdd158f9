/**
 * A live run: the user-facing surface. log() validates, appends to the buffer and returns; it
 * throws only for programming errors (a bad key or value, log() after finish()), never for the
 * network. Everything else happens in the pipeline and the uploader.
 */
import { MetricBuffer } from "./buffer.js";
import { Config } from "./config.js";
import { InvalidValue, UsageError } from "./errors.js";
import type { CloseResult, Pipeline } from "./pipeline.js";
import { MetricRules, type MetricOptions, type MetricRule } from "./rules.js";
import { Summary } from "./summary.js";
import { flattenRow, isPlainObject } from "./values.js";

export type AlertLevel = "INFO" | "WARN" | "ERROR";

export interface AlertOptions {
  title: string;
  text: string;
  level?: AlertLevel;
  /** Alerts of the same title within this many seconds are sent once (default 60). */
  waitDurationS?: number;
}

export interface LogOptions {
  /** Log at this step (an integer >= 0) instead of the run's current step. */
  step?: number;
  /** false: more keys for the same step follow; the step moves on at the next log() that commits. */
  commit?: boolean;
}

/** Python's define_metric spellings, accepted too. */
export type DefineMetricOptions = MetricOptions & { step_metric?: string; step_sync?: boolean };

export interface RunIdentity {
  id: string;
  name: string | null;
  project: string;
  entity: string | null;
  projectId: string | null;
  attempt: number;
  mode: "online" | "offline" | "disabled";
  /** The run's spool folder (Node), or null. */
  dir: string | null;
}

export interface FinishOptions {
  /** How long finish() waits for uploads before leaving the rest in the spool (default: init's finishTimeoutMs). */
  timeoutMs?: number;
}

const NO_OPTIONS: LogOptions = Object.freeze({});

export class Run {
  readonly config: Config;
  readonly summary: Summary;
  private readonly buffer = new MetricBuffer();
  private readonly rules = new MetricRules();
  private readonly stepMetricLast = new Map<string, number | string>();
  private readonly warnedLower = new Set<string>();
  private step: number;
  private closed = false;
  private pipeline: Pipeline | null = null;
  private finishing: Promise<CloseResult> | null = null;

  constructor(
    private readonly identity: RunIdentity,
    startStep: number,
    private readonly finishTimeoutMs: number,
    submitConfig: ((change: Record<string, unknown>) => void) | null,
    allowValChange = false,
    private readonly warn: (message: string) => void = (m) => console.warn(`wanllmdb: ${m}`),
  ) {
    this.step = startStep;
    this.summary = new Summary(this.buffer, this.rules);
    this.config = new Config(submitConfig, allowValChange);
  }

  /** @internal init() wires the pipeline once the run exists. */
  attach(pipeline: Pipeline): void {
    this.pipeline = pipeline;
  }

  /** @internal init() moves a resumed run past the server's last step. */
  startAt(step: number): void {
    this.step = step;
  }

  /** @internal */
  get metricBuffer(): MetricBuffer {
    return this.buffer;
  }

  get id(): string {
    return this.identity.id;
  }
  get name(): string | null {
    return this.identity.name;
  }
  get project(): string {
    return this.identity.project;
  }
  get entity(): string | null {
    return this.identity.entity;
  }
  get projectId(): string | null {
    return this.identity.projectId;
  }
  get attempt(): number {
    return this.identity.attempt;
  }
  get mode(): RunIdentity["mode"] {
    return this.identity.mode;
  }
  get dir(): string | null {
    return this.identity.dir;
  }
  /** The step the next log() without `step` goes to. */
  get currentStep(): number {
    return this.step;
  }

  /**
   * Record `data` at the current step, as wandb counts steps: each call moves to the next step
   * unless `commit: false`; `step` logs at that step. Values: numbers (NaN and ±Infinity are data),
   * booleans, bigints, strings, and plain objects of those (their keys joined with dots).
   */
  log(data?: Record<string, unknown>, stepOrOptions?: number | LogOptions): void {
    if (this.closed) throw new UsageError(`log() after finish(): run ${this.id} is finished; init() a new run`);
    const opts: LogOptions = stepOrOptions === undefined ? NO_OPTIONS : typeof stepOrOptions === "number" ? { step: stepOrOptions } : stepOrOptions;
    if (data === undefined || data === null) {
      this.commitPending(opts);
      return;
    }
    if (!isPlainObject(data)) {
      throw new InvalidValue(`log() takes a plain object of metrics, not ${Array.isArray(data) ? "an array" : `a ${typeof data}`}`, "data");
    }
    if (this.rules.size) data = this.withStepMetrics(data);
    const cur = this.step;
    let rowStep: number;
    let next: number;
    if (opts.step === undefined) {
      rowStep = cur;
      next = opts.commit === false ? cur : cur + 1;
    } else {
      [rowStep, next] = this.explicitStep(opts.step, cur, opts.commit, data);
    }
    if (this.identity.mode !== "disabled") {
      const ts = Date.now();
      if (!this.buffer.tryAddNumbers(rowStep, ts, data)) {
        const row = flattenRow(data); // throws before anything is stored
        this.buffer.addRow(rowStep, ts, row.nums, row.texts);
      }
      this.pipeline?.maybeFlush();
    } else {
      flattenRow(data); // the same errors as a live run
    }
    this.step = next; // only after the row is in: a refused call moves nothing
  }

  private commitPending(opts: LogOptions): void {
    const cur = this.step;
    if (opts.step !== undefined) {
      this.step = this.explicitStep(opts.step, cur, opts.commit, {})[1];
    } else if (opts.commit !== false) {
      const pending = Math.max(this.buffer.maxStep() ?? -1, this.summary.maxStep);
      if (pending >= cur) this.step = cur + 1;
    }
  }

  private explicitStep(step: unknown, cur: number, commit: boolean | undefined, data: Record<string, unknown>): [number, number] {
    if (typeof step !== "number" || !Number.isSafeInteger(step)) {
      throw new InvalidValue(`log(step=${String(step)}): step must be an integer`, "step");
    }
    if (step < 0) throw new InvalidValue(`log(step=${step}): step must be >= 0`, "step");
    if (step > cur) return [step, commit ? step + 1 : step];
    if (step === cur) return [step, commit ? cur + 1 : cur];
    // wandb drops these rows; we keep them (they are data) and say so once per key.
    for (const key of Object.keys(data)) {
      if (this.warnedLower.has(key)) continue;
      this.warnedLower.add(key);
      this.warn(`${JSON.stringify(key)} logged at step ${step}, below the run's current step ${cur}; stored at step ${step} as given`);
    }
    return [step, cur];
  }

  /** stepSync: a metric with a stepMetric gets that metric's latest value in the same row. */
  private withStepMetrics(data: Record<string, unknown>): Record<string, unknown> {
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(data)) {
      const rule = this.rules.forKey(key);
      if (rule?.stepMetric && rule.stepSync && !(rule.stepMetric in data)) {
        const last = this.stepMetricLast.get(rule.stepMetric);
        if (last !== undefined) {
          out ??= { ...data };
          out[rule.stepMetric] = last;
        }
      }
    }
    for (const name of this.rules.stepMetrics()) {
      const v = data[name];
      if (typeof v === "number" || typeof v === "string") this.stepMetricLast.set(name, v);
    }
    return out ?? data;
  }

  /** How a metric is summarised, plotted and shown (wandb's define_metric). */
  defineMetric(name: string, opts: DefineMetricOptions = {}): MetricRule {
    const { step_metric, step_sync, ...rest } = opts;
    const merged: MetricOptions = { ...rest };
    if (merged.stepMetric === undefined && step_metric !== undefined) merged.stepMetric = step_metric;
    if (merged.stepSync === undefined && step_sync !== undefined) merged.stepSync = step_sync;
    const rule = this.rules.define(name, merged);
    if (rule.stepMetric && !this.rules.names().has(rule.stepMetric)) this.rules.define(rule.stepMetric);
    return rule;
  }

  /** An alert (in-app, webhook, email, as the project's notification settings route it). */
  alert(opts: AlertOptions): void {
    const { title, text } = opts;
    if (typeof title !== "string" || title.length === 0 || title.length > 63) {
      throw new UsageError(`alert(): title must be 1..63 characters, got ${JSON.stringify(title)?.slice(0, 80)}`);
    }
    if (typeof text !== "string" || text.length > 10_000) {
      throw new UsageError("alert(): text must be a string of at most 10000 characters");
    }
    const level = opts.level ?? "INFO";
    if (!["INFO", "WARN", "ERROR"].includes(level)) {
      throw new UsageError(`alert(): level must be one of 'INFO', 'WARN' or 'ERROR', got ${JSON.stringify(level)}`);
    }
    const wait = opts.waitDurationS ?? 60;
    if (typeof wait !== "number" || !Number.isFinite(wait) || wait < 0) {
      throw new UsageError(`alert(): waitDurationS must be 0 seconds or more, got ${String(wait)}`);
    }
    if (this.closed) throw new UsageError(`alert() after finish(): run ${this.id} is finished`);
    this.pipeline?.submitOp("alert", { title, text, level, wait_duration_s: wait });
  }

  /**
   * End the run: flush, mark it finished (or failed, for a non-zero exit code), and wait for the
   * uploads for at most `timeoutMs`; what is left stays in the spool for `wanllmdb sync` (Node).
   * Never throws for the network; a second call returns the first one's result.
   */
  finish(exitCode?: number, opts: FinishOptions = {}): Promise<CloseResult> {
    if (this.finishing) return this.finishing;
    this.closed = true;
    const state: Record<string, unknown> = { state: exitCode ? "failed" : "finished" };
    if (exitCode !== undefined) state["exit_code"] = Math.trunc(exitCode);
    const deadline = Date.now() + (opts.timeoutMs ?? this.finishTimeoutMs);
    this.finishing = (async () => {
      if (this.pipeline === null) return { synced: this.identity.mode === "disabled", unsynced: 0 };
      const result = await this.pipeline.close(state, deadline);
      if (!result.synced && this.identity.mode !== "disabled") {
        const where = this.dir ? `; run \`wanllmdb sync ${this.dir}\` to upload it` : "";
        this.warn(
          this.identity.mode === "offline"
            ? `offline run ${this.id} saved in ${this.dir ?? "memory"}${where}`
            : `run ${this.id}: ${result.unsynced} item(s) not uploaded within the finish timeout${where}`,
        );
      }
      return result;
    })();
    return this.finishing;
  }
}
