import { useMemo } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { can } from "../../api/permissions";
import type { Sweep } from "../../api/sweeps";
import type { Project } from "../../api/types";
import { ErrorBanner, Loading, StateBadge } from "../../components/status";
import { useProject } from "../../queries/projects";
import { analysisQuery, sweepQuery, trialsQuery } from "../../queries/sweeps";
import { formatValue } from "../../shaping/fields";
import { sweepIsLive, trialCounts } from "../../shaping/sweeps";
import { BestParamsCard, ImportanceCard } from "./AnalysisCards";
import { MetricOverTimeCard, ParallelCard } from "./SweepCharts";
import { SweepControls } from "./SweepControls";
import { SweepRuns } from "./SweepRuns";
import "./sweeps.css";

export default function SweepPage() {
  const { entity = "", project = "", sweepId = "" } = useParams();
  const p = useProject(entity, project);
  const s = useQuery(sweepQuery(sweepId));
  const error = p.error ?? s.error;
  if (!p.data || !s.data)
    return error ? <ErrorBanner error={error} onRetry={() => void (p.data ? s.refetch() : p.refetch())} /> : <Loading what="Loading sweep" />;
  return <SweepView project={p.data} sweep={s.data} />;
}

/**
 * One sweep: its state and controls, what it has learnt (importance, correlation, best parameters),
 * its trials over time and across parameters, its runs and its config. While it is live every part
 * is asked again every 5 s (SWEEP_POLL_MS), so trials show as they finish.
 */
function SweepView({ project, sweep }: { project: Project; sweep: Sweep }) {
  const base = `/${project.entity}/${project.name}`;
  const live = sweepIsLive(sweep.state, sweep.counts);
  const trials = useQuery(trialsQuery(sweep.id, live));
  const analysis = useQuery(analysisQuery(sweep.id, live));
  const metric = sweep.metric as { name?: string; goal?: string } | null;
  const items = useMemo(() => trials.data ?? [], [trials.data]);
  const params = useMemo(() => (analysis.data?.parameters ?? []).map((p) => p.name), [analysis.data]);
  // Ended trials and their values: the runs table reads its runs again when this moves.
  const progress = useMemo(() => items.filter((t) => t.state !== "pending" && t.state !== "running").map((t) => `${t.run_id}:${t.metric}`).join(","), [items]);
  return (
    <div className="page sweep-page" data-sweep={sweep.id} data-state={sweep.state}>
      <div className="page-head">
        <h1>
          <Link to={`${base}/sweeps`} className="muted">
            Sweeps
          </Link>{" "}
          / {sweep.name || sweep.id} <StateBadge state={sweep.state} />
        </h1>
        <div className="head-actions">
          <SweepControls sweep={sweep} canWrite={can(project, "run:write")} />
        </div>
      </div>
      {sweep.description && <p className="muted">{sweep.description}</p>}
      {sweep.error && <div className="error-banner" role="alert">The controller stopped: {sweep.error}</div>}
      <div className="stat-row sweep-stats" data-testid="sweep-stats">
        <Stat label="method" value={sweep.method} />
        <Stat label="metric" value={metric?.name ? `${metric.name} (${metric.goal ?? "minimize"})` : "none"} />
        <Stat label="best" value={sweep.best ? formatValue(sweep.best.value) : "–"} />
        <Stat label="trials" value={`${sweep.trial_count}${sweep.run_cap ? ` / ${sweep.run_cap}` : ""}`} detail={trialCounts(sweep.counts)} />
        {sweep.finished_reason && <Stat label="ended" value={sweep.finished_reason} />}
        <Stat label="sweep id" value={sweep.id} detail={`wanllmdb agent ${sweep.id}`} />
      </div>
      <ErrorBanner error={trials.error ?? analysis.error} onRetry={() => void (trials.error ? trials.refetch() : analysis.refetch())} />
      {metric?.name && (
        <>
          <div className="cards">
            {analysis.data ? <ImportanceCard analysis={analysis.data} /> : <Pending title="Parameter importance" />}
            {analysis.data ? <BestParamsCard analysis={analysis.data} base={base} /> : <Pending title="Best parameters" />}
          </div>
          <div className="cards">
            <MetricOverTimeCard trials={items} metric={metric.name} goal={metric.goal} />
            <ParallelCard trials={items} analysis={analysis.data} metric={metric.name} />
          </div>
        </>
      )}
      <SweepRuns projectId={project.id} sweepId={sweep.id} base={base} params={params} metric={metric?.name} progress={progress} />
      <section className="card sweep-card" data-testid="sweep-config">
        <h2>Config</h2>
        <pre className="sweep-yaml">{sweep.config_yaml}</pre>
      </section>
    </div>
  );
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="stat" title={detail}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{detail ? `${label} · ${detail}` : label}</div>
    </div>
  );
}

function Pending({ title }: { title: string }) {
  return (
    <section className="card sweep-card">
      <h2>{title}</h2>
      <Loading what="Analysing trials" />
    </section>
  );
}
