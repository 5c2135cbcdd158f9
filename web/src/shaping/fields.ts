// Run fields as the runs table shows and filters them: config and summary flattened to dotted
// paths, the same paths the server's filters and order accept (config.<path>, summary.<path>).

export function flatten(obj: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  if (obj && typeof obj === "object" && !Array.isArray(obj)) {
    const entries = Object.entries(obj as Record<string, unknown>);
    // wandb-style config entries {value: x, desc: ...} read as their value.
    if (prefix && entries.length > 0 && "value" in (obj as object) && entries.every(([k]) => k === "value" || k === "desc")) {
      out[prefix] = (obj as { value: unknown }).value;
      return out;
    }
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    if (entries.length === 0 && prefix) out[prefix] = {};
    return out;
  }
  if (prefix) out[prefix] = obj;
  return out;
}

/** Every dotted key seen across runs, sorted, with wandb's private `_` keys last. */
export function collectKeys(objs: readonly unknown[]): string[] {
  const keys = new Set<string>();
  for (const o of objs) for (const k of Object.keys(flatten(o))) keys.add(k);
  return [...keys].sort((a, b) => Number(a.startsWith("_")) - Number(b.startsWith("_")) || a.localeCompare(b));
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
  }
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

export type FilterOp = "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" | "$in" | "$exists";

export interface FilterRow {
  field: string;
  op: FilterOp;
  value: string;
}

/** Text typed in a filter box as the server should compare it: numbers and booleans as such. */
export function parseFilterValue(s: string): unknown {
  const t = s.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (t === "null") return null;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/**
 * Builds the Mongo-style `filters` JSON for GET /projects/{id}/runs. Name search matches any part
 * of the name, ignoring case (the server's `$contains`), as wandb's search box does.
 */
export function buildFilters(rows: readonly FilterRow[], search: string): Record<string, unknown> | null {
  const clauses: Record<string, unknown>[] = [];
  const q = search.trim();
  if (q) clauses.push({ name: { $contains: q } });
  for (const r of rows) {
    if (!r.field) continue;
    let v: unknown;
    if (r.op === "$in") v = r.value.split(",").map(parseFilterValue);
    else if (r.op === "$exists") v = r.value.trim() !== "false";
    else v = parseFilterValue(r.value);
    clauses.push({ [r.field]: { [r.op]: v } });
  }
  if (clauses.length === 0) return null;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}
