import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import type { ArtifactCollection, ArtifactVersion } from "../../api/artifacts";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { collectionsQuery, versionsQuery } from "../../queries/artifacts";
import { formatBytes } from "../../shaping/units";
import { Aliases } from "./Aliases";
import { artifactsHref, projectApiId, runHref, shortTime, versionHref } from "./links";
import "./artifacts.css";

/** /:entity/:project/artifacts[/:name]: collections by type on the left, the chosen one's versions on the right. */
export default function ArtifactsPage() {
  const { entity = "", project = "", name = "" } = useParams();
  const pid = projectApiId(entity, project);
  const collections = useQuery(collectionsQuery(pid));
  const [search, setSearch] = useState("");
  const byType = useMemo(() => groupByType(collections.data ?? [], search), [collections.data, search]);
  return (
    <div className="page artifacts-page">
      <div className="page-head">
        <h1>Artifacts</h1>
        <input className="search" placeholder="Filter collections" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Filter collections" />
      </div>
      {!collections.data ? (
        collections.error ? (
          <ErrorBanner error={collections.error} onRetry={() => void collections.refetch()} />
        ) : (
          <Loading what="Loading artifacts" />
        )
      ) : collections.data.length === 0 ? (
        <Empty title="No artifacts yet">
          Log one with <code>run.log_artifact(artifact)</code> or <code>wanllmdb artifact put</code>.
        </Empty>
      ) : (
        <div className="art-split">
          <nav className="art-collections" aria-label="Collections">
            {byType.map(([type, list]) => (
              <section key={type} data-type={type}>
                <h2>
                  {type} <span className="muted small">{list.length}</span>
                </h2>
                <ul>
                  {list.map((c) => (
                    <li key={c.name}>
                      <Link className={c.name === name ? "active" : undefined} to={artifactsHref(entity, project, c.name)} data-collection={c.name}>
                        <span className="mono">{c.name}</span>
                        <span className="muted small">{c.version_count} {c.version_count === 1 ? "version" : "versions"}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
            {byType.length === 0 && <div className="muted small">No collection matches.</div>}
          </nav>
          <div className="art-main">
            {name ? (
              <Versions entity={entity} project={project} collection={collections.data.find((c) => c.name === name)} name={name} />
            ) : (
              <Empty title="Choose a collection">Its versions, aliases and sizes show here.</Empty>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

/** Collections grouped by type (types and names in alphabetical order), filtered by a substring of the name. */
export function groupByType(collections: readonly ArtifactCollection[], search = ""): [string, ArtifactCollection[]][] {
  const q = search.trim().toLowerCase();
  const groups = new Map<string, ArtifactCollection[]>();
  for (const c of collections) {
    if (q && !c.name.toLowerCase().includes(q)) continue;
    const list = groups.get(c.type) ?? [];
    list.push(c);
    groups.set(c.type, list);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, list]) => [t, list.sort((a, b) => a.name.localeCompare(b.name))]);
}

function Versions({ entity, project, name, collection }: { entity: string; project: string; name: string; collection?: ArtifactCollection }) {
  const versions = useQuery(versionsQuery(projectApiId(entity, project), name));
  if (!versions.data)
    return versions.error ? <ErrorBanner error={versions.error} onRetry={() => void versions.refetch()} /> : <Loading what="Loading versions" />;
  const list = [...versions.data].sort((a, b) => b.index - a.index);
  return (
    <section>
      <div className="art-head">
        <h2 className="art-title mono">{name}</h2>
        {collection && <span className="badge">{collection.type}</span>}
        <span className="muted small">{list.length} live {list.length === 1 ? "version" : "versions"}</span>
      </div>
      {collection?.description && <p className="muted">{collection.description}</p>}
      {list.length === 0 ? (
        <Empty title="No live versions">Every version of this collection was deleted.</Empty>
      ) : (
        <table className="table art-versions" data-testid="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Aliases</th>
              <th className="num">Files</th>
              <th className="num">Size</th>
              <th>Created</th>
              <th>Logged by</th>
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <VersionRow key={v.version} v={v} entity={entity} project={project} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function VersionRow({ v, entity, project }: { v: ArtifactVersion; entity: string; project: string }) {
  return (
    <tr data-version={v.version}>
      <td>
        <Link className="mono" to={versionHref(entity, project, v.name, v.version)}>
          {v.version}
        </Link>
      </td>
      <td>
        <Aliases aliases={v.aliases} />
      </td>
      <td className="num">{v.file_count.toLocaleString("en-US")}</td>
      <td className="num">{formatBytes(v.size)}</td>
      <td className="muted" title={v.created_at}>
        {shortTime(v.created_at)}
      </td>
      <td>{v.logged_by_run ? <Link to={runHref(entity, project, v.logged_by_run)}>{v.logged_by_run}</Link> : <span className="muted">—</span>}</td>
    </tr>
  );
}
