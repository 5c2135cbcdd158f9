import type { Run } from "../../api/types";
import { secondsBetween } from "../../shaping/duration";
import { flatten } from "../../shaping/fields";

/** A column of the runs table; `field` is also what the server sorts and filters by. */
export interface Column {
  field: string;
  label: string;
  width: number;
}

/** The run's own columns, in the column picker's order; the server filters, sorts and groups by each. */
export const FIXED: Column[] = [
  { field: "name", label: "Name", width: 220 },
  { field: "state", label: "State", width: 100 },
  { field: "created_at", label: "Created", width: 160 },
  { field: "runtime", label: "Runtime", width: 100 },
  { field: "duration", label: "Duration", width: 100 },
  { field: "created_by", label: "User", width: 110 },
  { field: "host", label: "Host", width: 130 },
  { field: "group", label: "Group", width: 130 },
  { field: "job_type", label: "Job type", width: 110 },
  { field: "tags", label: "Tags", width: 160 },
  { field: "notes", label: "Notes", width: 200 },
  { field: "sweep_id", label: "Sweep", width: 110 },
];

/** Shown until the user picks columns; the others are one click away in the column picker. */
export const DEFAULT_FIXED = ["name", "state", "created_at", "runtime", "created_by", "group", "tags"];

export function columnFor(field: string): Column {
  const fixed = FIXED.find((c) => c.field === field);
  if (fixed) return fixed;
  const [, ...rest] = field.split(".");
  const label = rest.join(".");
  // Wide enough for the label and its cfg/sum marker, within reason; the full path is in the tooltip.
  return { field, label, width: Math.min(240, Math.max(110, label.length * 7.5 + 56)) };
}

/** Flattened config and summary of a run, cached per run object so scrolling does not re-flatten. */
const cache = new WeakMap<object, { config: Record<string, unknown>; summary: Record<string, unknown> }>();
export function fieldsOf(r: Run) {
  let f = cache.get(r);
  if (!f) {
    f = { config: flatten(r.config ?? {}), summary: flatten(r.summary ?? {}) };
    cache.set(r, f);
  }
  return f;
}

/** Wall time from create to finish, in seconds; null while the run runs (as the server's `duration`). */
export const durationOf = (r: Run): number | null => secondsBetween(r.created_at, r.finished_at);

/** The script's own `_runtime` (wandb keeps one in the summary) or else the duration (as the server's `runtime`). */
export function runtimeOf(r: Run): number | null {
  const own = (r.summary as Record<string, unknown> | undefined)?._runtime;
  return typeof own === "number" && Number.isFinite(own) ? own : durationOf(r);
}

export function valueOf(r: Run, field: string): unknown {
  if (field.startsWith("config.")) return fieldsOf(r).config[field.slice(7)];
  if (field.startsWith("summary.")) return fieldsOf(r).summary[field.slice(8)];
  if (field === "host") return (r.metadata as Record<string, unknown> | undefined)?.host;
  if (field === "duration") return durationOf(r);
  if (field === "runtime") return runtimeOf(r);
  return (r as Record<string, unknown>)[field];
}
