import { useMemo } from "react";
import type { SweepAnalysis, Trial } from "../../api/sweeps";
import EChart from "../../charts/EChart";
import { flatten } from "../../shaping/fields";
import { metricOverTime, metricOverTimeOption, sweepParallelOption, trialFrame } from "../../shaping/sweeps";

interface Props {
  trials: Trial[];
  analysis: SweepAnalysis | undefined;
  metric: string;
  goal: string | undefined;
}

/** The metric of every ended trial over time, with the best-so-far line. */
export function MetricOverTimeCard({ trials, metric, goal }: Omit<Props, "analysis">) {
  const m = useMemo(() => metricOverTime(trials, goal), [trials, goal]);
  const option = useMemo(() => metricOverTimeOption(m, metric), [m, metric]);
  return (
    <section className="card sweep-card sweep-chart" data-testid="metric-over-time" data-points={m.finished.length + m.imputed.length}>
      <h2>{metric} over time</h2>
      {m.finished.length + m.imputed.length === 0 ? (
        <p className="muted small">No trial has ended with a value of {metric} yet.</p>
      ) : (
        <EChart option={option} label={`${metric} of each trial over time, with the best so far`} height={280} />
      )}
    </section>
  );
}

/** Parallel coordinates over the parameters, most important first, and the metric. */
export function ParallelCard({ trials, analysis, metric }: Omit<Props, "goal">) {
  const { option, rows } = useMemo(() => {
    const params = analysis?.parameters.length ? analysis.parameters.map((p) => p.name) : paramNames(trials);
    const logs = new Set((analysis?.parameters ?? []).filter((p) => p.log).map((p) => p.name));
    const frame = trialFrame(trials, params, metric);
    return { option: sweepParallelOption(frame, params, logs, metric), rows: frame.length };
  }, [trials, analysis, metric]);
  return (
    <section className="card sweep-card sweep-chart" data-testid="parallel" data-rows={rows}>
      <h2>Parameters and {metric}</h2>
      {option ? (
        <EChart option={option} label={`Parallel coordinates of the trials' parameters and ${metric}`} height={320} />
      ) : (
        <p className="muted small">No trial has ended with a value of {metric} yet.</p>
      )}
    </section>
  );
}

/** Before the analysis answers: every parameter path the trials have, in first-seen order. */
function paramNames(trials: Trial[]): string[] {
  const seen = new Set<string>();
  for (const t of trials) for (const k of Object.keys(flatten(t.params))) seen.add(k);
  return [...seen];
}
