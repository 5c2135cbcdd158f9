import { api, unwrap } from "./client";

export interface SqlAnswer {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

/** POST /api/sql: read-only SQL over the `runs` and `metrics` tables of projects the caller is a member of. */
export function runSql(query: string, opts: { limit: number; projects?: string[] }): Promise<SqlAnswer> {
  return unwrap(api.POST("/api/sql", { body: { query, limit: opts.limit, projects: opts.projects ?? null } }));
}

/** A column name quoted for Polars SQL ("config.lr" holds dots). */
export const sqlName = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** A text literal. */
export const sqlText = (s: string): string => `'${s.replace(/'/g, "''")}'`;
