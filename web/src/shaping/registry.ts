// The model registry's data, shaped for its pages: stage holders and groups, aliases by version,
// what the caller may move directly, and the stage timeline as sentences grouped by day.
// Pure functions of the API's answers (functions/wanllmdb_functions/registry/models.py).

/** The lifecycle, in order (registry/models.py STAGES). A version has exactly one. */
export const STAGES = ["Development", "Staging", "Production", "Archived"] as const;

/** The stages a registry page shows per model: who holds them is what a reader looks for. */
export const HELD_STAGES = ["Production", "Staging"] as const;

/** "v12" → 12; anything else sorts last. */
export function versionIndex(version: string): number {
  const m = /^v(\d+)$/.exec(version);
  return m ? Number(m[1]) : -1;
}

const newestFirst = (a: string, b: string) => versionIndex(b) - versionIndex(a);

/** The order stages are listed in: the lifecycle's, then any stage this page does not know, by name. */
function stageRank(stage: string): number {
  const i = (STAGES as readonly string[]).indexOf(stage);
  return i < 0 ? STAGES.length : i;
}

const byStage = (a: string, b: string) => stageRank(a) - stageRank(b) || a.localeCompare(b);

export interface StageHolders {
  stage: string;
  /** vN, newest first. */
  versions: string[];
}

/** A model's holders of `shown` stages, from its `stages` map (stage → vN list), Production first; empty stages left out. */
export function stageHolders(stages: Record<string, string[]> | undefined, shown: readonly string[] = HELD_STAGES): StageHolders[] {
  return shown.map((stage) => ({ stage, versions: [...(stages?.[stage] ?? [])].sort(newestFirst) })).filter((h) => h.versions.length > 0);
}

/** Versions grouped by their stage, in lifecycle order except that Production and Staging lead; each group newest first. */
export function groupByStage<V extends { stage: string; version: string }>(versions: readonly V[]): { stage: string; versions: V[] }[] {
  const groups = new Map<string, V[]>();
  for (const v of versions) groups.set(v.stage, [...(groups.get(v.stage) ?? []), v]);
  const lead = (s: string) => {
    const i = (HELD_STAGES as readonly string[]).indexOf(s);
    return i < 0 ? HELD_STAGES.length : i;
  };
  return [...groups.keys()]
    .sort((a, b) => lead(a) - lead(b) || byStage(a, b))
    .map((stage) => ({ stage, versions: [...groups.get(stage)!].sort((a, b) => newestFirst(a.version, b.version)) }));
}

/** A model's `aliases` (alias → vN) turned around: vN → its aliases, sorted, `latest` first. */
export function aliasesByVersion(aliases: Record<string, string> | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [alias, version] of Object.entries(aliases ?? {})) out.set(version, [...(out.get(version) ?? []), alias]);
  for (const list of out.values()) list.sort((a, b) => (a === "latest" ? -1 : b === "latest" ? 1 : a.localeCompare(b)));
  return out;
}

/** The CSS modifier of a stage's badge: `stage-production`; an unknown stage gets the plain badge. */
export function stageClass(stage: string): string {
  return (STAGES as readonly string[]).includes(stage) ? `stage-${stage.toLowerCase()}` : "stage-other";
}

interface Protection {
  protected_stages?: string[];
  protected_aliases?: string[];
}

/**
 * The stages the caller may move a version to at once: any for a registry admin, the unprotected ones
 * for a writer, none for a reader. The current stage is left out. The server checks every move regardless.
 */
export function directStages(permissions: readonly string[], settings: Protection, current: string): string[] {
  const admin = permissions.includes("registry:admin");
  if (!admin && !permissions.includes("registry:write")) return [];
  const guarded = settings.protected_stages ?? [];
  // As the server: leaving a protected stage is as guarded as entering one (Production is not emptied by a member).
  if (!admin && guarded.includes(current)) return [];
  return STAGES.filter((s) => s !== current && (admin || !guarded.includes(s)));
}

/** The stages worth a request: every stage but the current one, protected ones first (they need one). */
export function requestableStages(settings: Protection, current: string): string[] {
  const isProtected = (s: string) => ((settings.protected_stages ?? []).includes(s) ? 0 : 1);
  return STAGES.filter((s) => s !== current).sort((a, b) => isProtected(a) - isProtected(b) || byStage(a, b));
}

export interface RequestLike {
  target_kind: "stage" | "alias";
  target: string;
  version: string;
  status: string;
}

/** What a request asks, in words: "Production for v3", "alias production on v3". */
export function requestSummary(r: Pick<RequestLike, "target_kind" | "target" | "version">): string {
  return r.target_kind === "stage" ? `${r.target} for ${r.version}` : `alias ${r.target} on ${r.version}`;
}

export interface TimelineEntryLike {
  at: string;
  by: string;
  version: string;
  kind: "linked" | "unlinked" | "stage" | "alias" | "request";
  before?: string | null;
  after?: string | null;
  comment?: string;
  status?: string | null;
}

/** A request's or alias line's target as words: a stage by its name, an alias as "alias x". */
const target = (t: string | null | undefined) => (!t ? "a move" : (STAGES as readonly string[]).includes(t) ? t : `alias ${t}`);

/** `project:name:vN` (a source artifact version's id) → `name:vN`. */
const artifactName = (id: string) => id.slice(id.indexOf(":") + 1);

/**
 * One timeline line as a sentence (registry/events.py writes them). A stage line has the stages
 * before and after; an alias line the alias (`after`) and the version that held it (`before`), or
 * `status: removed`; a request line its target (`after`) and what became of it (`status`); a link
 * line the source artifact version (`after`).
 */
export function describeEntry(e: TimelineEntryLike): string {
  switch (e.kind) {
    case "linked":
      return e.after ? `${e.version} linked from ${artifactName(e.after)}` : `${e.version} linked`;
    case "unlinked":
      return `${e.version} unlinked`;
    case "stage":
      return e.before ? `${e.version} moved from ${e.before} to ${e.after ?? "?"}` : `${e.version} moved to ${e.after ?? "?"}`;
    case "alias":
      if (!e.after) return `an alias removed from ${e.version}`;
      if (e.status === "removed") return `alias ${e.after} removed from ${e.version}`;
      return e.before && e.before !== e.version ? `alias ${e.after} moved to ${e.version} from ${e.before}` : `alias ${e.after} set on ${e.version}`;
    case "request": {
      const what = `${target(e.after)} for ${e.version}`;
      switch (e.status) {
        case "approved":
        case "rejected":
        case "cancelled":
          return `request of ${what} ${e.status}`;
        default:
          return `${what} requested`;
      }
    }
  }
}

/** A day as the timeline heads it, in the reader's zone: "2024-05-01". */
export function dayOf(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The entries newest first, in runs of one day each (the reader's days). */
export function timelineByDay<E extends { at: string }>(entries: readonly E[]): { day: string; entries: E[] }[] {
  const sorted = [...entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const days: { day: string; entries: E[] }[] = [];
  for (const e of sorted) {
    const day = dayOf(e.at);
    const last = days[days.length - 1];
    if (last?.day === day) last.entries.push(e);
    else days.push({ day, entries: [e] });
  }
  return days;
}
