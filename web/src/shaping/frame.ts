// Column-major rows a chart reads: a logged table's pages (row-major from the server) or one row per
// run. Charts walk columns, so the rows are turned once, not per chart.
import { parseFilterValue, type FilterRow } from "./fields";

export interface Frame {
  columns: string[];
  /** The server's column kinds (number, int, str, media:image-file, …); absent for run fields. */
  kinds: Record<string, string>;
  cols: Record<string, unknown[]>;
  length: number;
}

export const emptyFrame = (columns: string[] = [], kinds: Record<string, string> = {}): Frame => ({
  columns,
  kinds,
  cols: Object.fromEntries(columns.map((c) => [c, []])),
  length: 0,
});

/** A frame of `rows` (row-major, in `columns` order), appended to `into` when given. */
export function appendRows(into: Frame, rows: readonly unknown[][]): Frame {
  const cols = into.columns.map((c) => into.cols[c]);
  for (const row of rows) for (let j = 0; j < cols.length; j++) cols[j].push(row[j]);
  into.length += rows.length;
  return into;
}

/** A cell as a number: numbers, the server's "NaN"/"Infinity" spellings and numeric text; else null. */
export function numberOf(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Whether a column reads as numbers: the server says so, or every non-empty cell is one. */
export function isNumeric(frame: Frame, column: string): boolean {
  const kind = frame.kinds[column];
  if (kind === "number" || kind === "int") return true;
  if (kind && kind !== "mixed") return false;
  const values = frame.cols[column] ?? [];
  let seen = 0;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== "number") return false;
    if (++seen > 2000) break;
  }
  return seen > 0;
}

/** A cell as the text a category axis shows. */
export function labelOf(v: unknown): string {
  if (v === null || v === undefined) return "(none)";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** Distinct labels of a column: numbers ascending when all are numbers, else in first-seen order. */
export function categories(frame: Frame, column: string, rows?: readonly number[]): string[] {
  const values = frame.cols[column] ?? [];
  const seen = new Map<string, unknown>();
  const at = rows ?? values.keys();
  for (const i of at) {
    const label = labelOf(values[i]);
    if (!seen.has(label)) seen.set(label, values[i]);
  }
  const entries = [...seen.entries()];
  if (entries.every(([, v]) => typeof v === "number")) entries.sort((a, b) => (a[1] as number) - (b[1] as number));
  return entries.map(([label]) => label);
}

function matches(value: unknown, row: FilterRow): boolean {
  const want = row.op === "$in" ? row.value.split(",").map(parseFilterValue) : parseFilterValue(row.value);
  switch (row.op) {
    case "$exists":
      return (value !== null && value !== undefined) === (row.value.trim() !== "false");
    case "$eq":
      return value === want || (want === null && value === undefined);
    case "$ne":
      return !(value === want || (want === null && value === undefined));
    case "$in":
      return (want as unknown[]).includes(value);
    default: {
      // Numbers compare with numbers and text with text, as the server's filter language does.
      if (typeof value !== typeof want || (typeof value !== "number" && typeof value !== "string")) return false;
      const a = value as number | string;
      const b = want as number | string;
      return row.op === "$gt" ? a > b : row.op === "$gte" ? a >= b : row.op === "$lt" ? a < b : a <= b;
    }
  }
}

/** The indices of rows every filter row keeps (the runs source filters in the browser; tables on the server). */
export function keptRows(frame: Frame, filters: readonly FilterRow[]): number[] {
  const active = filters.filter((f) => f.field && (f.value.trim() !== "" || f.op === "$exists"));
  const out: number[] = [];
  for (let i = 0; i < frame.length; i++) if (active.every((f) => matches(frame.cols[f.field]?.[i], f))) out.push(i);
  return out;
}

/** Every row index of a frame. */
export const allRows = (frame: Frame): number[] => Array.from({ length: frame.length }, (_, i) => i);
