/** Groups metric keys into sections by prefix, W&B style: "train/loss" goes under "train". */
export function groupKeys(keys: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const i = k.indexOf("/");
    const g = i > 0 ? k.slice(0, i) : "Charts";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(k);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === "Charts" ? -1 : b === "Charts" ? 1 : a.localeCompare(b)));
}

/** The grid's columns; a panel's box is in these units. */
export const GRID_COLS = 12;

/**
 * How many panels share a row by default: as many as fit at about 380 px each (at most 3, at
 * least 1), but never more than the section holds, so two panels fill the row instead of two
 * thirds of it.
 */
export function panelsPerRow(width: number, count: number): number {
  const fit = Math.max(1, Math.min(3, Math.floor(width / 380)));
  return Math.max(1, Math.min(fit, count));
}

/** The default box of the i-th panel with `perRow` panels a row; a moved panel's box is kept instead. */
export function defaultBox(i: number, perRow: number): { x: number; y: number; w: number; h: number } {
  const w = Math.floor(GRID_COLS / perRow);
  return { x: (i % perRow) * w, y: Math.floor(i / perRow) * 9, w, h: 9 };
}

/** The ids of the `n` runs with the lowest (`min`) or highest (`max`) numeric summary[key]; runs without one are left out. */
export function topRunsBy(runs: readonly { id: string; summary: Record<string, unknown> }[], key: string, dir: "min" | "max", n: number): string[] {
  const valued = runs.flatMap((r) => {
    const v = summaryValue(r.summary, key);
    return typeof v === "number" && Number.isFinite(v) ? [{ id: r.id, v }] : [];
  });
  valued.sort((a, b) => (dir === "min" ? a.v - b.v : b.v - a.v));
  return valued.slice(0, n).map((r) => r.id);
}

/** summary["a/b"] as written, or a nested summary.a.b. */
function summaryValue(summary: Record<string, unknown>, key: string): unknown {
  if (key in summary) return summary[key];
  let cur: unknown = summary;
  for (const part of key.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
