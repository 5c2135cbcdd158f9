// What each report panel draws, read from its free-form `config` (schemas/report.schema.json says
// only "an object"). The Python API's spellings come first (sdk/wanllmdb/apis/_panels.py:
// MediaBrowser and ParallelCoordinatesPlot write `keys`, RunComparer `diff_only`); the editor
// writes the same. Reading is lenient about shape (a comma list for a list) and never throws: a
// config that names nothing makes the panel say so.
import type { Run } from "../../../api/types";
import { readChartSpec, type ChartSpec } from "../../../shaping/chartSpec";
import { appendRows, emptyFrame, type Frame } from "../../../shaping/frame";
import type { Stop } from "../../../shaping/mediaAxis";
import { valueOf } from "../../table/columns";

type Config = Record<string, unknown> | undefined;

const MAX_KEYS = 50;

/** A list of non-empty strings from a list or a comma-separated string. */
export function strList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === "string" ? v.split(",") : [];
  const out = items.filter((x): x is string => typeof x === "string").map((x) => x.trim());
  return [...new Set(out.filter(Boolean))].slice(0, MAX_KEYS);
}

const first = (...vs: unknown[]): string[] => vs.map(strList).find((l) => l.length > 0) ?? [];

/** Media panel (MediaBrowser): the media keys to show, `keys` (also `media_keys`, `key`). */
export const mediaKeysOf = (c: Config): string[] => first(c?.keys, c?.media_keys, c?.key);

/** A pinned step of a media or table panel, or null for the latest. */
export function stepOf(c: Config): number | null {
  const s = c?.step;
  return typeof s === "number" && Number.isInteger(s) && s >= 0 ? s : null;
}

/** Logged table panel: the table key (`key`, also `table_key` or the first of `keys`). */
export const tableKeyOf = (c: Config): string => first(c?.key, c?.table_key, c?.keys)[0] ?? "";

/** Parallel coordinates (ParallelCoordinatesPlot): its axes, `keys` (also `columns`), in order. */
export const parallelKeysOf = (c: Config): string[] => first(c?.keys, c?.columns);

/** Side by side: the metrics each run's chart draws (`keys`, also `metrics`, `metric`) and the runs (`runs`: ids). */
export function sideBySideOf(c: Config): { keys: string[]; runs: string[] } {
  return { keys: first(c?.keys, c?.metrics, c?.metric), runs: strList(c?.runs) };
}

/** Run comparison (RunComparer): show only the rows whose values differ. */
export const diffOnlyOf = (c: Config): boolean => c?.diff_only === true || c?.diffOnly === true;

export type ChartChoice = { kind: "preset"; key: string } | { kind: "spec"; spec: ChartSpec } | null;

/**
 * A custom chart panel: a chart the runs logged with `wanllmdb.plot.*` (`preset`: the key it was
 * logged under), or a chart spec as the workspace's custom chart panel saves it (`chart`).
 */
export function chartOf(c: Config): ChartChoice {
  const preset = typeof c?.preset === "string" ? c.preset.trim() : "";
  if (preset) return { kind: "preset", key: preset };
  const spec = readChartSpec(c?.chart);
  return spec ? { kind: "spec", spec } : null;
}

/**
 * The runs-table field a column name means: `config.x`, `summary.x` and the run's own fields as
 * they are; a bare name is the config value when a run has one, else the summary value.
 */
export function resolveField(runs: Run[], name: string): string {
  if (/^(config|summary)\./.test(name) || ["name", "state", "group", "job_type", "created_at", "runtime", "duration"].includes(name)) return name;
  return runs.some((r) => valueOf(r, `config.${name}`) !== undefined) ? `config.${name}` : `summary.${name}`;
}

/** Which runs a side-by-side panel draws: the listed ids in their order (those in the run set), else every run. */
export function pickRuns(runs: Run[], ids: string[]): Run[] {
  if (ids.length === 0) return runs;
  const byId = new Map(runs.map((r) => [r.id, r]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

/** One row per run with `fields` (runs-table spellings): what a chart over the run set reads. */
export function runsFrame(runs: Run[], fields: string[]): Frame {
  return appendRows(emptyFrame(fields), runs.map((r) => fields.map((f) => valueOf(r, f))));
}

/** The slider stop a pinned step shows: the last at or before it (the first when all are later), or the last stop. */
export function stopIndexAt(stops: readonly Stop[], step: number | null): number {
  if (step === null) return Math.max(0, stops.length - 1);
  let at = 0;
  stops.forEach((s, i) => {
    if (s.step <= step) at = i;
  });
  return at;
}
