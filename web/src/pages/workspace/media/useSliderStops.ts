import { useMemo } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { mediaAxisQuery } from "../../../queries/mediaAxis";
import { axisStops, STEP_AXIS, type Stop, type StepX } from "../../../shaping/mediaAxis";

export interface RunSteps {
  run: Run;
  /** The run's media steps in the section (histograms aside). */
  steps: number[];
}

// Module-level, so useQueries keeps the combined result while no answer changes.
const combine = (results: UseQueryResult<StepX>[]) => ({
  data: results.map((r) => r.data),
  error: results.find((r) => r.error)?.error ?? null,
});

/**
 * A section slider's stops on `axis`: every media step of its runs, ordered by the metric's value
 * at that step (each run's own mapping). Until every run's values are in, and when they cannot be
 * read, the slider stays on the step axis (`shownAxis`).
 */
export function useSliderStops(axis: string, perRun: RunSteps[]) {
  const onStep = axis === STEP_AXIS;
  const xs = useQueries({ queries: onStep ? [] : perRun.map((p) => mediaAxisQuery(p.run, axis, p.steps)), combine });
  const ready = !onStep && xs.data.length === perRun.length && xs.data.every((d) => d !== undefined);
  const xsByRun = useMemo(
    () => new Map<string, StepX | null>(perRun.map((p, i) => [p.run.id, ready ? (xs.data[i] ?? null) : null])),
    [perRun, ready, xs.data],
  );
  const stops = useMemo<Stop[]>(() => axisStops(perRun.map((p) => ({ steps: p.steps, xs: xsByRun.get(p.run.id) ?? null }))), [perRun, xsByRun]);
  return { stops, xsByRun, shownAxis: ready ? axis : STEP_AXIS, loading: !onStep && !ready && !xs.error, error: xs.error };
}
