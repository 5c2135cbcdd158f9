import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { runName } from "../../api/runs";
import type { Project, Run } from "../../api/types";
import { Empty, ErrorBanner, Loading, StateBadge } from "../../components/status";
import { runListQuery } from "../../queries/runs";
import { useProject } from "../../queries/projects";
import { collectKeys, formatValue, flatten } from "../../shaping/fields";

const STATES = ["running", "finished", "failed", "crashed"] as const;

export default function OverviewPage() {
  const { entity = "", project = "" } = useParams();
  const p = useProject(entity, project);
  // A failed refetch (on focus) keeps the page it has; only a project never loaded shows the error.
  if (!p.data) return p.error ? <ErrorBanner error={p.error} onRetry={() => void p.refetch()} /> : <Loading what="Loading project" />;
  return <Overview project={p.data} />;
}

function RunList({ runs, base, extra }: { runs: Run[]; base: string; extra?: (r: Run) => React.ReactNode }) {
  if (runs.length === 0) return <div className="muted small">None</div>;
  return (
    <ul className="run-list">
      {runs.map((r) => (
        <li key={r.id}>
          <StateBadge state={r.state} />
          <Link to={`${base}/runs/${r.id}`}>{runName(r)}</Link>
          <span className="muted small">{extra ? extra(r) : new Date(r.created_at).toLocaleString()}</span>
        </li>
      ))}
    </ul>
  );
}

function Overview({ project }: { project: Project }) {
  const base = `/${project.entity}/${project.name}`;
  const recent = useQuery(runListQuery(project.id, { order: "-created_at", perPage: 10 }));
  const running = useQuery(runListQuery(project.id, { state: "running", order: "-created_at", perPage: 10 }));
  const metricKeys = useMemo(() => collectKeys((recent.data?.items ?? []).map((r) => r.summary)), [recent.data]);
  const [metric, setMetric] = useState("");
  const [dir, setDir] = useState<"min" | "max">("min");
  const chosen = metric || metricKeys.find((k) => /loss/.test(k)) || metricKeys[0] || "";
  const best = useQuery({
    ...runListQuery(project.id, {
      order: `${dir === "max" ? "-" : ""}summary.${chosen}`,
      filters: { [`summary.${chosen}`]: { $exists: true } },
      perPage: 10,
    }),
    enabled: !!chosen,
  });
  const counts = project.run_counts ?? {};
  const total = STATES.reduce((n, s) => n + ((counts as Record<string, number>)[s] ?? 0), 0);
  return (
    <div className="page">
      <div className="page-head">
        <h1>{project.name}</h1>
        <div className="head-actions">
          <Link className="btn" to={`${base}/table`}>
            Runs table
          </Link>
          <Link className="btn btn-primary" to={`${base}/workspace`}>
            Open workspace
          </Link>
        </div>
      </div>
      {project.description && <p className="muted">{project.description}</p>}
      <div className="stat-row" data-testid="run-counts">
        <div className="stat">
          <div className="stat-value">{total}</div>
          <div className="stat-label">runs</div>
        </div>
        {STATES.map((s) => (
          <div className="stat" key={s}>
            <div className="stat-value">{(counts as Record<string, number>)[s] ?? 0}</div>
            <div className="stat-label">
              <StateBadge state={s} />
            </div>
          </div>
        ))}
      </div>
      <div className="cards">
        <section className="card">
          <h2>Running now</h2>
          <ErrorBanner error={running.error} onRetry={() => void running.refetch()} />
          {running.isPending ? <Loading /> : <RunList runs={running.data?.items ?? []} base={base} />}
        </section>
        <section className="card">
          <h2>Recent runs</h2>
          <ErrorBanner error={recent.error} onRetry={() => void recent.refetch()} />
          {recent.isPending ? (
            <Loading />
          ) : recent.data?.items.length ? (
            <RunList runs={recent.data.items} base={base} />
          ) : (
            <Empty title="No runs yet" />
          )}
        </section>
        <section className="card">
          <h2>
            Best runs by{" "}
            <select value={chosen} onChange={(e) => setMetric(e.target.value)} aria-label="Summary metric">
              {metricKeys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>{" "}
            <select value={dir} onChange={(e) => setDir(e.target.value as "min" | "max")} aria-label="Direction">
              <option value="min">lowest</option>
              <option value="max">highest</option>
            </select>
          </h2>
          <ErrorBanner error={best.error} onRetry={() => void best.refetch()} />
          {!chosen ? (
            <div className="muted small">No summary metrics logged yet.</div>
          ) : best.isPending ? (
            <Loading />
          ) : (
            <RunList runs={best.data?.items ?? []} base={base} extra={(r) => formatValue(flatten(r.summary)[chosen])} />
          )}
        </section>
      </div>
    </div>
  );
}
