import { useState } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import type { RegisteredModel } from "../../api/registry";
import { Empty, ErrorBanner, Loading, Tag } from "../../components/status";
import { Markdown } from "../../components/Markdown";
import { useDebounced } from "../../hooks/useDebounced";
import { modelsQuery, registryQuery } from "../../queries/registry";
import { stageHolders } from "../../shaping/registry";
import { shortTime } from "../artifacts/links";
import { modelHref, REGISTRIES_HREF, registeredVersionHref, registryParams } from "./links";
import { StageBadge } from "./StageBadge";
import "./registry.css";

/** /registries/:entity/:registry: its registered models with who holds Production and Staging, and their aliases. */
export default function RegistryPage() {
  const { entity, name, registry } = registryParams(useParams());
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 250);
  const record = useQuery(registryQuery(registry));
  const models = useQuery(modelsQuery(registry, q));
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          <Link to={REGISTRIES_HREF} className="muted">
            Registries
          </Link>
          <span className="muted">/</span>
          <span>
            <span className="muted">{entity}/</span>
            {name}
          </span>
        </h1>
        <input className="search" placeholder="Search models" aria-label="Search models" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorBanner error={record.error} onRetry={() => void record.refetch()} />
      {record.data?.description && <Markdown source={record.data.description} className="reg-description" />}
      <ErrorBanner error={models.error} onRetry={() => void models.refetch()} />
      {models.isPending ? (
        models.error ? null : <Loading what="Loading models" />
      ) : models.data && models.data.length === 0 ? (
        <Empty title={q ? `No model matches “${q}”` : "No registered models yet"}>
          {q ? null : (
            <>
              Link a logged model with <code>run.link_model(path, "{name}/my-model")</code> or <code>wanllmdb registry link</code>.
            </>
          )}
        </Empty>
      ) : (
        <table className="table reg-models" data-testid="models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Production</th>
              <th>Staging</th>
              <th>Aliases</th>
              <th className="num">Versions</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {models.data?.map((m) => <ModelRow key={m.name} m={m} entity={entity} name={name} />)}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ModelRow({ m, entity, name }: { m: RegisteredModel; entity: string; name: string }) {
  const held = new Map(stageHolders(m.stages).map((h) => [h.stage, h.versions]));
  const holders = (stage: string) => {
    const versions = held.get(stage) ?? [];
    if (versions.length === 0) return <span className="muted">—</span>;
    return versions.map((v) => (
      <Link key={v} to={registeredVersionHref(entity, name, m.name, v)} className="reg-holder">
        <StageBadge stage={stage} version={v} />
      </Link>
    ));
  };
  const aliases = Object.entries(m.aliases ?? {}).filter(([a]) => a !== "latest");
  return (
    <tr data-model={m.name}>
      <td>
        <Link to={modelHref(entity, name, m.name)} className="project-link">
          {m.name}
        </Link>
        {m.tags?.map((t) => <Tag key={t} name={t} />)}
      </td>
      <td data-cell="Production">{holders("Production")}</td>
      <td data-cell="Staging">{holders("Staging")}</td>
      <td data-cell="aliases">
        {aliases.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          aliases.map(([alias, v]) => (
            <span key={alias} className="tag" data-alias={alias}>
              {alias} → {v}
            </span>
          ))
        )}
      </td>
      <td className="num">
        {m.version_count}
        {m.latest && <span className="muted small"> (latest {m.latest})</span>}
      </td>
      <td className="muted">{shortTime(m.updated_at)}</td>
    </tr>
  );
}
