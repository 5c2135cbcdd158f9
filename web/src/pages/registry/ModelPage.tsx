import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import type { RegisteredVersion } from "../../api/registry";
import { Empty, ErrorBanner, Loading, Tag } from "../../components/status";
import { Markdown } from "../../components/Markdown";
import { modelQuery, modelVersionsQuery } from "../../queries/registry";
import { groupByStage } from "../../shaping/registry";
import { shortTime } from "../artifacts/links";
import { RegistryCrumbs } from "./RegistryCrumbs";
import { artifactByIdHref, registeredVersionHref, registryParams } from "./links";
import { AliasTags, StageBadge } from "./StageBadge";
import { StageTimeline } from "./StageTimeline";
import "./registry.css";

/** /registries/:entity/:registry/:model: the versions by stage with their aliases, the description, and the stage timeline. */
export default function ModelPage() {
  const params = useParams();
  const { entity, name, registry } = registryParams(params);
  const modelName = params.model ?? "";
  const model = useQuery(modelQuery(registry, modelName));
  const versions = useQuery(modelVersionsQuery(registry, modelName));
  if (!model.data)
    return <div className="page">{model.error ? <ErrorBanner error={model.error} onRetry={() => void model.refetch()} /> : <Loading what="Loading model" />}</div>;
  const m = model.data;
  return (
    <div className="page">
      <div className="page-head">
        <RegistryCrumbs entity={entity} name={name} model={m.name} />
        {m.tags?.map((t) => <Tag key={t} name={t} />)}
      </div>
      <div className="reg-split">
        <div className="reg-main">
          <section className="card reg-card">
            <h2>Versions</h2>
            <ErrorBanner error={versions.error} onRetry={() => void versions.refetch()} />
            {!versions.data ? (
              versions.error ? null : <Loading what="Loading versions" />
            ) : versions.data.length === 0 ? (
              <Empty title="No version linked yet" />
            ) : (
              <VersionsTable versions={versions.data} entity={entity} name={name} model={m.name} />
            )}
          </section>
          <section className="card reg-card">
            <h2>Description</h2>
            {m.description ? <Markdown source={m.description} testId="model-description" /> : <p className="muted">No description.</p>}
          </section>
        </div>
        <aside className="reg-side">
          <section className="card reg-card">
            <h2>Stage timeline</h2>
            <StageTimeline registry={registry} model={m.name} link={(v) => registeredVersionHref(entity, name, m.name, v)} />
          </section>
        </aside>
      </div>
    </div>
  );
}

function VersionsTable({ versions, entity, name, model }: { versions: RegisteredVersion[]; entity: string; name: string; model: string }) {
  return (
    <table className="table compact reg-versions" data-testid="versions">
      <thead>
        <tr>
          <th>Version</th>
          <th>Stage</th>
          <th>Aliases</th>
          <th>Artifact</th>
          <th>Created</th>
        </tr>
      </thead>
      {groupByStage(versions).map((g) => (
        <tbody key={g.stage} data-stage-group={g.stage}>
          {g.versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                <Link to={registeredVersionHref(entity, name, model, v.version)} className="mono">
                  {v.version}
                </Link>
              </td>
              <td>
                <StageBadge stage={v.stage} />
              </td>
              <td>
                <AliasTags aliases={v.aliases ?? []} />
              </td>
              <td>
                <Link to={artifactByIdHref(v.source.project_id, v.source.name, v.source.version)} className="mono">
                  {v.source.name}:{v.source.version}
                </Link>
                {v.source.state === "deleted" && <span className="muted small"> (deleted; kept by this link)</span>}
              </td>
              <td className="muted">
                {shortTime(v.created_at)}
                {v.created_by ? ` by ${v.created_by}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}
