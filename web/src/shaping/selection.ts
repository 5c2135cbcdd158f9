// Which selected runs a workspace draws as lines and which as one band, as W&B draws "top N": with
// more runs selected than lines, the first N of the runs table's order are lines and the rest are
// aggregated on the server into one min/max band per chart.

/** The choices of the workspace's "Lines" control. */
export const LINE_CHOICES = [5, 10, 20, 50] as const;
export const DEFAULT_LINES = 10;
/** As many runs as the server aggregates into one band (POST .../metrics/batch `band`), plus the lines. */
export const MAX_SELECTED = 1000;

export interface Split {
  /** Drawn one line per run, in the runs table's order. */
  lines: string[];
  /** Drawn as one band per chart (empty when the selection fits in the lines). */
  band: string[];
}

/**
 * Splits a selection: the selected runs the table lists, in its order, then selected runs it does
 * not list (older ones, or from a shared link) in the selection's order; the first `n` are lines.
 * `keep` drops runs outside a brush.
 */
export function splitSelection(selected: readonly string[], tableOrder: readonly string[], n: number, keep: (id: string) => boolean = () => true): Split {
  const wanted = new Set(selected);
  const listed = new Set(tableOrder);
  const ordered = [...new Set([...tableOrder.filter((id) => wanted.has(id)), ...selected.filter((id) => !listed.has(id))])].filter(keep);
  return { lines: ordered.slice(0, n), band: ordered.slice(n) };
}

/** The legend entry of the band: "990 other runs (min–max)". */
export const bandLabel = (runs: number) => `${runs} other run${runs === 1 ? "" : "s"} (min–max)`;
