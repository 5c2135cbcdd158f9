import { NavLink, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { runName } from "../../api/runs";
import { ErrorBanner, Loading, StateBadge } from "../../components/status";
import { can } from "../../api/permissions";
import { useProject } from "../../queries/projects";
import { runQuery } from "../../queries/runs";
import { Workspace } from "../workspace/WorkspacePage";
import { FilesTab } from "./FilesTab";
import { LogsTab } from "./LogsTab";
import { OverviewTab } from "./OverviewTab";
import { SystemTab } from "./SystemTab";
import { RunArtifacts } from "../artifacts/RunArtifacts";

const TABS = [
  ["", "Overview"],
  ["charts", "Charts"],
  ["system", "System"],
  ["logs", "Logs"],
  ["files", "Files"],
  ["artifacts", "Artifacts"],
] as const;

export default function RunPage() {
  const { entity = "", project = "", runId = "", tab = "" } = useParams();
  const proj = useProject(entity, project);
  const projectId = proj.data?.id;
  // Run ids are unique per project, so the run is asked for once its project is known; while it
  // is running it is asked again every 10 s (state, summary), and not once it has ended.
  const run = useQuery({ ...runQuery(projectId ?? "", runId), enabled: !!projectId });
  const base = `/${entity}/${project}/runs/${runId}`;
  if (proj.error && !proj.data) return <ErrorBanner error={proj.error} onRetry={() => void proj.refetch()} />;
  if (!run.data) return run.error ? <ErrorBanner error={run.error} onRetry={() => void run.refetch()} /> : <Loading what="Loading run" />;
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
      {/* A poll that failed keeps the page; the next one clears this. */}
      <ErrorBanner error={run.error} />
      {tab === "" && <OverviewTab run={r} canEdit={can(proj.data, "run:write")} />}
      {/* The workspace's own panels, scoped to this run: one chart code path for both pages. */}
      {tab === "charts" && proj.data && <Workspace project={proj.data} only={r} />}
      {tab === "system" && <SystemTab run={r} />}
      {tab === "logs" && <LogsTab run={r} />}
      {tab === "files" && <FilesTab run={r} />}
      {tab === "artifacts" && <RunArtifacts run={r} entity={entity} project={project} />}
    </div>
  );
}
