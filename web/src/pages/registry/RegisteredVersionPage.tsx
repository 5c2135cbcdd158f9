import { useMemo } from "react";
import { Link, NavLink, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { registeredFiles, type RegisteredRef, type RegisteredVersion } from "../../api/registry";
import { useSignedIn } from "../../auth/useSignedIn";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { Markdown } from "../../components/Markdown";
import { TagTerms } from "../../components/TagTerms";
import { modelQuery, modelRequestsQuery, registeredVersionQuery, registryQuery } from "../../queries/registry";
import { formatBytes } from "../../shaping/units";
import { FilesTab } from "../artifacts/FilesTab";
import { shortTime } from "../artifacts/links";
import "../artifacts/artifacts.css";
import { VersionActions } from "./VersionActions";
import { VersionLinksCard } from "./VersionLinksCard";
import { RegistryCrumbs } from "./RegistryCrumbs";
import { RequestList } from "./RequestList";
import { artifactByIdHref, registeredVersionHref, registryParams } from "./links";
import { AliasTags, StageBadge } from "./StageBadge";
import "./registry.css";

const TABS = [
  ["", "Overview"],
  ["files", "Files"],
  ["requests", "Requests"],
] as const;

/** /registries/:entity/:registry/:model/:version[/:tab]; the label (vN, latest, an alias, a stage) is resolved once. */
export default function RegisteredVersionPage() {
  const params = useParams();
  const { entity, name, registry } = registryParams(params);
  const model = params.model ?? "";
  const label = params.version ?? "";
  const tab = params.tab ?? "";
  const version = useQuery(registeredVersionQuery({ registry, model, label }));
  if (!version.data)
    return <div className="page">{version.error ? <ErrorBanner error={version.error} onRetry={() => void version.refetch()} /> : <Loading what="Loading version" />}</div>;
  const v = version.data;
  // Every read below names vN: an alias or a stage may move while the page is open, vN never does.
  const ref: RegisteredRef = { registry, model, label: v.version };
  return (
    <div className="page">
      <div className="page-head">
        <RegistryCrumbs entity={entity} name={name} model={model} version={v.version} />
        <StageBadge stage={v.stage} />
        <AliasTags aliases={v.aliases ?? []} />
      </div>
      <nav className="tabs">
        {TABS.map(([t, text]) => (
          <NavLink key={t} end to={registeredVersionHref(entity, name, model, label, t)} className="tab">
            {text}
          </NavLink>
        ))}
      </nav>
      {tab === "files" ? (
        <RegisteredFiles vref={ref} fileCount={v.source.file_count} />
      ) : tab === "requests" ? (
        <VersionRequests vref={ref} />
      ) : (
        <Overview v={v} vref={ref} />
      )}
    </div>
  );
}

function Overview({ v, vref }: { v: RegisteredVersion; vref: RegisteredRef }) {
  const model = useQuery(modelQuery(vref.registry, vref.model));
  const record = useQuery(registryQuery(vref.registry));
  return (
    <div className="reg-split">
      <div className="reg-main">
        <section className="card reg-card">
          <h2>Model card</h2>
          {v.model_card ? <Markdown source={v.model_card} testId="model-card" /> : <p className="muted">No model card yet.</p>}
          {v.description && (
            <>
              <h2 className="art-sub">Description</h2>
              <Markdown source={v.description} testId="version-description" />
            </>
          )}
        </section>
        <VersionLinksCard vref={vref} canAdd={!!model.data?.permissions?.includes("registry:write")} />
      </div>
      <aside className="reg-side">
        <section className="card reg-card">
          <h2>Version</h2>
          <dl className="kv" data-testid="version-facts">
            <dt>Stage</dt>
            <dd>
              <StageBadge stage={v.stage} />
            </dd>
            <dt>Aliases</dt>
            <dd>{v.aliases?.length ? <AliasTags aliases={v.aliases} /> : <span className="muted">none</span>}</dd>
            <dt>Artifact</dt>
            <dd>
              <Link to={artifactByIdHref(v.source.project_id, v.source.name, v.source.version)} className="mono">
                {v.source.name}:{v.source.version}
              </Link>{" "}
              <span className="badge">{v.source.type}</span>
              {v.source.state === "deleted" && <div className="muted small">Deleted in its project; this link keeps its files.</div>}
            </dd>
            <dt>Files</dt>
            <dd>
              {v.source.file_count.toLocaleString("en-US")} ({formatBytes(v.source.size)})
            </dd>
            <dt>Linked</dt>
            <dd>
              {shortTime(v.created_at)}
              {v.created_by ? ` by ${v.created_by}` : ""}
            </dd>
            <TagTerms tags={v.tags} />
          </dl>
        </section>
        <ErrorBanner error={model.error ?? record.error} />
        {model.data && record.data && <VersionActions v={v} vref={vref} permissions={model.data.permissions ?? []} settings={record.data.settings} />}
      </aside>
    </div>
  );
}

function RegisteredFiles({ vref, fileCount }: { vref: RegisteredRef; fileCount: number }) {
  const { registry, model, label } = vref;
  // One source per version, so the tree keeps what it read across renders.
  const source = useMemo(() => registeredFiles({ registry, model, label }), [registry, model, label]);
  return <FilesTab source={source} fileCount={fileCount} />;
}

/** The requests made for this version, newest first, with review controls for those who may act. */
function VersionRequests({ vref }: { vref: RegisteredRef }) {
  const me = useSignedIn();
  const model = useQuery(modelQuery(vref.registry, vref.model));
  const requests = useQuery(modelRequestsQuery(vref.registry, vref.model));
  const mine = requests.data?.filter((r) => r.version === vref.label);
  const canReview = !!model.data?.permissions?.includes("registry:approve");
  return (
    <section className="card reg-card">
      <h2>Request history</h2>
      <ErrorBanner error={requests.error} onRetry={() => void requests.refetch()} />
      {!mine ? (
        requests.error ? null : <Loading what="Loading requests" />
      ) : mine.length === 0 ? (
        <Empty title="No request for this version yet" />
      ) : (
        <RequestList requests={mine} me={me} canReview={() => canReview} />
      )}
    </section>
  );
}
