// Shaping of a version diff (GET .../artifacts/{name}/diff): the server pages it by path and counts
// each kind of change; a diff that fits in one page is shown grouped by kind.

export type ChangeKind = "added" | "removed" | "changed";
export const CHANGE_KINDS: readonly ChangeKind[] = ["added", "removed", "changed"];

export interface DiffEntryLike {
  path: string;
  change: string;
  old_size?: number | null;
  new_size?: number | null;
}

export interface DiffGroup<E extends DiffEntryLike> {
  change: ChangeKind;
  entries: E[];
  /** Bytes this kind of change adds to the version (negative for removals and shrinking files). */
  bytes: number;
}

/** new size minus old size; an added file counts its size, a removed one minus its size. */
export function sizeDelta(e: DiffEntryLike): number {
  return (e.new_size ?? 0) - (e.old_size ?? 0);
}

/** The entries grouped by kind (added, removed, changed, each in path order), empty kinds left out. */
export function groupDiff<E extends DiffEntryLike>(entries: readonly E[]): DiffGroup<E>[] {
  const groups = new Map<ChangeKind, DiffGroup<E>>(CHANGE_KINDS.map((change) => [change, { change, entries: [], bytes: 0 }]));
  for (const e of entries) {
    const group = groups.get(e.change as ChangeKind);
    if (!group) continue; // a kind this page does not know is not drawn as one it does
    group.entries.push(e);
    group.bytes += sizeDelta(e);
  }
  return CHANGE_KINDS.map((k) => groups.get(k)!).filter((g) => g.entries.length > 0);
}

/** "3 added, 1 removed, 2 changed", or "no differences". */
export function diffCounts(counts: Record<ChangeKind, number>): string {
  const parts = CHANGE_KINDS.filter((k) => counts[k] > 0).map((k) => `${counts[k].toLocaleString("en-US")} ${k}`);
  return parts.length ? parts.join(", ") : "no differences";
}
