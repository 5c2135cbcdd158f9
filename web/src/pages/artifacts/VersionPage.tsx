import { useMemo } from "react";
import { Link, NavLink, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { artifactFiles, type ArtifactVersion, type VersionRef } from "../../api/artifacts";
import { ErrorBanner, Loading } from "../../components/status";
import { lazyComponent } from "../../components/lazyComponent";
import { versionQuery } from "../../queries/artifacts";
import { Aliases } from "./Aliases";
import { DiffTab } from "./DiffTab";
import { FilesTab } from "./FilesTab";
import { artifactsHref, projectApiId, versionHref } from "./links";
import { OverviewTab } from "./OverviewTab";
import "./artifacts.css";

// The graph layout library (dagre) loads only when the Lineage tab opens.
const LineageTab = lazyComponent(() => import("./LineageTab"), "Loading lineage");

const TABS = [
  ["", "Overview"],
  ["files", "Files"],
  ["diff", "Diff"],
  ["lineage", "Lineage"],
] as const;

/** /:entity/:project/artifacts/:name/:label[/:tab]; the label (vN, latest, an alias) is resolved once. */
export default function VersionPage() {
  const { entity = "", project = "", name = "", label = "", tab = "" } = useParams();
  const asked: VersionRef = { project: projectApiId(entity, project), name, label };
  const version = useQuery(versionQuery(asked));
  if (!version.data)
    return (
      <div className="page">{version.error ? <ErrorBanner error={version.error} onRetry={() => void version.refetch()} /> : <Loading what="Loading version" />}</div>
    );
  const v = version.data;
  // Every read below names vN: `latest` may move while the page is open, vN never does.
  const ref: VersionRef = { ...asked, label: v.version };
  return (
    <div className="page artifacts-page">
      <div className="page-head">
        <h1>
          <Link to={artifactsHref(entity, project, name)} className="mono">
            {name}
          </Link>
          <span className="mono">:{v.version}</span>
          <span className="badge">{v.type}</span>
        </h1>
        <Aliases aliases={v.aliases} />
        {v.state === "deleted" && <span className="badge badge-failed">deleted</span>}
      </div>
      <nav className="tabs">
        {TABS.map(([t, text]) => (
          <NavLink key={t} end to={versionHref(entity, project, name, label, t)} className="tab">
            {text}
          </NavLink>
        ))}
      </nav>
      <VersionTab tab={tab} v={v} vref={ref} entity={entity} project={project} />
    </div>
  );
}

function VersionTab({ tab, v, vref, entity, project }: { tab: string; v: ArtifactVersion; vref: VersionRef; entity: string; project: string }) {
  switch (tab) {
    case "files":
      return <ArtifactFilesTab vref={vref} fileCount={v.file_count} />;
    case "diff":
      return <DiffTab v={v} entity={entity} project={project} />;
    case "lineage":
      return <LineageTab v={v} vref={vref} entity={entity} project={project} />;
    default:
      return <OverviewTab v={v} vref={vref} entity={entity} project={project} />;
  }
}

function ArtifactFilesTab({ vref, fileCount }: { vref: VersionRef; fileCount: number }) {
  const { project, name, label } = vref;
  // One source per version, so the tree keeps what it read across renders.
  const source = useMemo(() => artifactFiles({ project, name, label }), [project, name, label]);
  return <FilesTab source={source} fileCount={fileCount} />;
}
