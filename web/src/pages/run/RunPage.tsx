import { NavLink, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { runName } from "../../api/runs";
import { ErrorBanner, Loading, StateBadge } from "../../components/status";
import { can } from "../../api/permissions";
import { useApi } from "../../hooks/useApi";
import { useProject } from "../../hooks/useProject";
import { FilesTab } from "./FilesTab";
import { LogsTab } from "./LogsTab";
import { OverviewTab } from "./OverviewTab";
import { SystemTab } from "./SystemTab";

const TABS = [
  ["", "Overview"],
  ["system", "System"],
  ["logs", "Logs"],
  ["files", "Files"],
] as const;

export default function RunPage() {
  const { entity = "", project = "", runId = "", tab = "" } = useParams();
  const proj = useProject(entity, project);
  const projectId = proj.data?.id;
  // Run ids are unique per project, so the run is asked for once its project is known.
  const run = useApi(
    async () =>
      projectId ? unwrap(api.GET("/api/runs/{run_id}", { params: { path: { run_id: runId }, query: { project_id: projectId } } })) : undefined,
    [runId, projectId],
  );
  const base = `/${entity}/${project}/runs/${runId}`;
  if (proj.error) return <ErrorBanner error={proj.error} onRetry={proj.reload} />;
  if (run.error) return <ErrorBanner error={run.error} onRetry={run.reload} />;
  if (!run.data) return <Loading what="Loading run" />;
  const r = run.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          {runName(r)} <StateBadge state={r.state} />
        </h1>
        <span className="muted mono small">{r.id}</span>
      </div>
      <nav className="tabs">
        {TABS.map(([t, label]) => (
          <NavLink key={t} end to={t ? `${base}/${t}` : base} className="tab">
            {label}
          </NavLink>
        ))}
      </nav>
      {tab === "" && <OverviewTab run={r} onChange={run.reload} canEdit={can(proj.data, "run:write")} />}
      {tab === "system" && <SystemTab run={r} />}
      {tab === "logs" && <LogsTab run={r} />}
      {tab === "files" && <FilesTab run={r} />}
    </div>
  );
}
