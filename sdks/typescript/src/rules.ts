/** defineMetric() rules (sdk/wanllmdb/summary.py MetricRules): an exact name beats a glob, a later rule an earlier one. */
import { InvalidValue } from "./errors.js";

export const SUMMARY_MODES = ["min", "max", "mean", "last", "first", "none"] as const;
export type SummaryMode = (typeof SUMMARY_MODES)[number];
export const GOALS = ["minimize", "maximize"] as const;
export type Goal = (typeof GOALS)[number];

export interface MetricOptions {
  /** Plot this metric against another one (wandb's step_metric), e.g. "epoch". */
  stepMetric?: string;
  /** Add the step metric's latest value to rows that lack it (default: true when stepMetric is set). */
  stepSync?: boolean;
  /** What the run summary keeps: "min", "max", "mean", "last", "first", "none", or several ("min,max" or an array). */
  summary?: SummaryMode | string | SummaryMode[];
  goal?: Goal;
  /** Keep the metric out of the run summary (its rows are all in the history). */
  hidden?: boolean;
}

export interface MetricRule {
  name: string;
  stepMetric: string | null;
  stepSync: boolean;
  summary: SummaryMode[];
  goal: Goal | null;
  hidden: boolean;
}

export class MetricRules {
  private rules: MetricRule[] = [];
  private cache = new Map<string, MetricRule | null>();

  get size(): number {
    return this.rules.length;
  }

  define(name: string, opts: MetricOptions = {}): MetricRule {
    if (typeof name !== "string" || name.length === 0) {
      throw new InvalidValue("defineMetric(): name must be a non-empty string or glob", "name");
    }
    const raw = opts.summary ?? "last";
    const modes = (Array.isArray(raw) ? raw : String(raw).split(",")).map((m) => m.trim()).filter(Boolean);
    for (const m of modes) {
      if (!(SUMMARY_MODES as readonly string[]).includes(m)) {
        throw new InvalidValue(
          `defineMetric(${JSON.stringify(name)}): summary=${JSON.stringify(m)}; use one of ${SUMMARY_MODES.join("|")}`,
          "summary",
        );
      }
    }
    if (opts.goal !== undefined && !(GOALS as readonly string[]).includes(opts.goal)) {
      throw new InvalidValue(
        `defineMetric(${JSON.stringify(name)}): goal=${JSON.stringify(opts.goal)}; use minimize or maximize`,
        "goal",
      );
    }
    if (opts.stepMetric !== undefined && (typeof opts.stepMetric !== "string" || !opts.stepMetric)) {
      throw new InvalidValue(`defineMetric(${JSON.stringify(name)}): stepMetric must be a metric name`, "stepMetric");
    }
    const rule: MetricRule = {
      name,
      stepMetric: opts.stepMetric ?? null,
      stepSync: opts.stepSync ?? opts.stepMetric !== undefined,
      summary: (modes.length ? modes : ["last"]) as SummaryMode[],
      goal: opts.goal ?? null,
      hidden: opts.hidden ?? false,
    };
    this.rules.push(rule);
    this.cache.clear();
    return rule;
  }

  names(): Set<string> {
    return new Set(this.rules.map((r) => r.name));
  }

  stepMetrics(): Set<string> {
    return new Set(this.rules.flatMap((r) => (r.stepMetric ? [r.stepMetric] : [])));
  }

  forKey(key: string): MetricRule | null {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const exact = this.rules.filter((r) => r.name === key);
    const globbed = this.rules.filter((r) => r.name !== key && globMatch(r.name, key));
    const matches = exact.length ? exact : globbed;
    const rule = matches[matches.length - 1] ?? null;
    this.cache.set(key, rule);
    return rule;
  }

  /** {name or glob: step metric}, a later definition later: the summary's `_step_metrics`. */
  stepMetricMap(): Record<string, string> {
    const out = new Map<string, string>();
    for (const r of this.rules) {
      out.delete(r.name);
      if (r.stepMetric) out.set(r.name, r.stepMetric);
    }
    return Object.fromEntries(out);
  }
}

const globCache = new Map<string, RegExp>();

/** fnmatch's case-sensitive globs: `*`, `?`, `[seq]`, `[!seq]`. */
export function globMatch(pattern: string, key: string): boolean {
  let re = globCache.get(pattern);
  if (re === undefined) {
    let src = "";
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === "*") src += "[\\s\\S]*";
      else if (c === "?") src += "[\\s\\S]";
      else if (c === "[") {
        const end = pattern.indexOf("]", i + 2);
        if (end < 0) src += "\\[";
        else {
          let body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
          if (body.startsWith("!")) body = "^" + body.slice(1);
          src += `[${body}]`;
          i = end;
        }
      } else src += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    re = new RegExp(`^${src}$`);
    globCache.set(pattern, re);
  }
  return re.test(key);
}
