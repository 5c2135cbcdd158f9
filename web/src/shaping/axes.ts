// Which x axis a metric's chart uses. The SDK sends define_metric(key, step_metric=...) in the
// run's summary under `_step_metrics` ({name or glob: step metric}, later definitions later); a
// key with a step metric plots against it unless the user picked another axis than the step.
import type { XAxis } from "./view";

export const STEP_METRICS_KEY = "_step_metrics";

/** Python's fnmatchcase: `*` any run of characters (slashes too), `?` one, `[seq]` / `[!seq]` a set. */
export function globMatch(pattern: string, key: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let set = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (set.startsWith("!")) set = "^" + set.slice(1);
        re += `[${set}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(key);
}

/** The step metric a run defined for `key`: an exact name first, else the last glob that matches. */
export function stepMetricOf(summary: unknown, key: string): string | null {
  const map = (summary as Record<string, unknown> | null)?.[STEP_METRICS_KEY];
  if (!map || typeof map !== "object") return null;
  const defs = map as Record<string, unknown>;
  if (typeof defs[key] === "string") return defs[key] as string;
  let found: string | null = null;
  for (const [pattern, axis] of Object.entries(defs)) if (typeof axis === "string" && globMatch(pattern, key)) found = axis;
  return found;
}

/**
 * The axis `key`'s panel draws on: the view's, or, while the view is on the step, the step metric
 * the first selected run that defines one gave it.
 */
export function panelAxis(runs: readonly { summary: unknown }[], key: string, viewX: XAxis): XAxis {
  if (viewX !== "step") return viewX;
  for (const r of runs) {
    const axis = stepMetricOf(r.summary, key);
    if (axis && axis !== key) return `metric:${axis}`;
  }
  return "step";
}

/** The metrics API's `x` parameter for an axis (relative time is wall time, shifted per run). */
export const xParamOf = (x: XAxis): string => (x === "step" ? "step" : x === "ts" || x === "relative" ? "ts" : x.slice(7));
