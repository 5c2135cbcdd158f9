import type { Project } from "../../api/types";

/** The projects list's run-state columns, in order: crashed runs (lost heartbeat, kill -9) are not failures. */
export const RUN_COUNT_COLUMNS = [
  { state: "running", label: "Running" },
  { state: "finished", label: "Finished" },
  { state: "failed", label: "Failed" },
  { state: "crashed", label: "Crashed" },
] as const;

export type CountedState = (typeof RUN_COUNT_COLUMNS)[number]["state"];

/** One number per column; a project from an older server (no counters, or no `crashed`) shows 0. */
export function runCountCells(counts: Partial<Project["run_counts"]> | undefined): number[] {
  return RUN_COUNT_COLUMNS.map(({ state }) => counts?.[state] ?? 0);
}
