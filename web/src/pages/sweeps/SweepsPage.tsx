import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import type { Sweep } from "../../api/sweeps";
import type { Project } from "../../api/types";
import { Empty, ErrorBanner, Loading, StateBadge } from "../../components/status";
import { useProject } from "../../queries/projects";
import { sweepsQuery } from "../../queries/sweeps";
import { formatValue } from "../../shaping/fields";
import { trialCounts } from "../../shaping/sweeps";
import "./sweeps.css";

export default function SweepsPage() {
  const { entity = "", project = "" } = useParams();
  const p = useProject(entity, project);
  if (!p.data) return p.error ? <ErrorBanner error={p.error} onRetry={() => void p.refetch()} /> : <Loading what="Loading project" />;
  return <Sweeps project={p.data} />;
}

function Sweeps({ project }: { project: Project }) {
  const base = `/${project.entity}/${project.name}`;
  const list = useQuery(sweepsQuery(project.id));
  const sweeps = list.data?.items ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Sweeps <span className="muted count">{list.data ? sweeps.length : ""}</span>
        </h1>
      </div>
      <ErrorBanner error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? (
        <Loading what="Loading sweeps" />
      ) : sweeps.length === 0 ? (
        <Empty title="No sweeps in this project yet">
          Start one with <code>wanllmdb sweep sweep.yaml --project {project.name}</code>, then run <code>wanllmdb agent SWEEP_ID</code> on
          any machine.
        </Empty>
      ) : (
        <table className="table sweep-list" data-testid="sweeps">
          <thead>
            <tr>
              <th>Sweep</th>
              <th>State</th>
              <th>Method</th>
              <th>Metric</th>
              <th>Best</th>
              <th>Trials</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {sweeps.map((s) => (
              <SweepRow key={s.id} sweep={s} base={base} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function SweepRow({ sweep, base }: { sweep: Sweep; base: string }) {
  const metric = sweep.metric as { name?: string; goal?: string } | null;
  return (
    <tr data-sweep={sweep.id}>
      <td>
        <Link to={`${base}/sweeps/${sweep.id}`}>{sweep.name || sweep.id}</Link>
        {sweep.name && <span className="muted small"> {sweep.id}</span>}
      </td>
      <td>
        <StateBadge state={sweep.state} />
      </td>
      <td>{sweep.method}</td>
      <td>{metric?.name ? `${metric.name} (${metric.goal ?? "minimize"})` : <span className="muted">none</span>}</td>
      <td>{sweep.best ? formatValue(sweep.best.value) : ""}</td>
      <td className="small">{trialCounts(sweep.counts)}</td>
      <td className="small">{new Date(sweep.created_at).toLocaleString()}</td>
    </tr>
  );
}
