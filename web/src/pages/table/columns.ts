import type { Run } from "../../api/types";
import { flatten } from "../../shaping/fields";

/** A column of the runs table; `field` is also what the server sorts and filters by. */
export interface Column {
  field: string;
  label: string;
  width: number;
}

export const FIXED: Column[] = [
  { field: "name", label: "Name", width: 220 },
  { field: "state", label: "State", width: 100 },
  { field: "created_at", label: "Created", width: 160 },
  { field: "tags", label: "Tags", width: 160 },
];

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

export function valueOf(r: Run, field: string): unknown {
  if (field.startsWith("config.")) return fieldsOf(r).config[field.slice(7)];
  if (field.startsWith("summary.")) return fieldsOf(r).summary[field.slice(8)];
  return (r as Record<string, unknown>)[field];
}
