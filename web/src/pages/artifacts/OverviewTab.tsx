import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { changeAliases, deleteVersion, type ArtifactVersion, type VersionRef } from "../../api/artifacts";
import { can } from "../../api/permissions";
import { ErrorBanner } from "../../components/status";
import { TagTerms } from "../../components/TagTerms";
import { artifactsKey, versionRunsQuery } from "../../queries/artifacts";
import { useProject } from "../../queries/projects";
import { formatBytes } from "../../shaping/units";
import { ConfigTree } from "../run/ConfigTree";
import { artifactsHref, runHref } from "./links";

export function OverviewTab({ v, vref, entity, project }: { v: ArtifactVersion; vref: VersionRef; entity: string; project: string }) {
  const proj = useProject(entity, project);
  const runs = useQuery(versionRunsQuery(vref));
  const [raw, setRaw] = useState(false);
  return (
    <div className="cards">
      <section className="card">
        <h2>Version</h2>
        <dl className="kv" data-testid="version-facts">
          <dt>Files</dt>
          <dd>{v.file_count.toLocaleString("en-US")}</dd>
          <dt>Size</dt>
          <dd>{formatBytes(v.size)}</dd>
          <dt>Created</dt>
          <dd>{new Date(v.created_at).toLocaleString()}</dd>
          {v.created_by && (
            <>
              <dt>By</dt>
              <dd>{v.created_by}</dd>
            </>
          )}
          <dt>Digest</dt>
          <dd className="mono">{v.digest}</dd>
          <TagTerms tags={v.tags} />
        </dl>
        {v.description && (
          <>
            <h2 className="art-sub">Description</h2>
            {/* Text, never markup: a description is whatever the logger wrote. */}
            <p className="art-description" data-testid="description">
              {v.description}
            </p>
          </>
        )}
      </section>
      <section className="card">
        <h2>Aliases</h2>
        <AliasEditor v={v} vref={vref} canEdit={can(proj.data, "artifact:write")} />
        <h2 className="art-sub">Runs</h2>
        <ErrorBanner error={runs.error} />
        <dl className="kv" data-testid="version-runs">
          <dt>Logged by</dt>
          <dd>{runs.data?.logged_by ? <Link to={runHref(entity, project, runs.data.logged_by)}>{runs.data.logged_by}</Link> : <span className="muted">—</span>}</dd>
          <dt>Used by</dt>
          <dd>
            {runs.data?.used_by.length
              ? runs.data.used_by.map((r) => (
                  <Link key={r} className="art-run-link" to={runHref(entity, project, r)}>
                    {r}
                  </Link>
                ))
              : <span className="muted">{runs.data ? "no run yet" : "…"}</span>}
          </dd>
        </dl>
        {can(proj.data, "artifact:delete") && <DeleteVersion vref={vref} entity={entity} project={project} />}
      </section>
      <section className="card art-metadata">
        <h2>
          Metadata{" "}
          <button className="btn btn-small" onClick={() => setRaw(!raw)} aria-pressed={raw}>
            {raw ? "Tree" : "JSON"}
          </button>
        </h2>
        {raw ? <pre className="art-json">{JSON.stringify(v.metadata, null, 2)}</pre> : <ConfigTree value={v.metadata as Record<string, unknown>} />}
      </section>
    </div>
  );
}

function AliasEditor({ v, vref, canEdit }: { v: ArtifactVersion; vref: VersionRef; canEdit: boolean }) {
  const qc = useQueryClient();
  const [alias, setAlias] = useState("");
  const aliases = v.aliases ?? [];
  const change = useMutation({
    mutationFn: (c: { add?: string[]; remove?: string[] }) => changeAliases(vref, c),
    onSuccess: () => {
      setAlias("");
      // An alias moves between versions: every version and listing of the collection may change.
      void qc.invalidateQueries({ queryKey: [...artifactsKey(vref.project), vref.name] });
    },
  });
  return (
    <div data-testid="aliases">
      <div className="tags-edit">
        {aliases.map((a) => (
          <span key={a} className={`tag${a === "latest" ? " tag-latest" : ""}`} data-alias={a}>
            {a}
            {canEdit && a !== "latest" && (
              <button className="tag-x" aria-label={`Remove alias ${a}`} disabled={change.isPending} onClick={() => change.mutate({ remove: [a] })}>
                ×
              </button>
            )}
          </span>
        ))}
        {aliases.length === 0 && <span className="muted small">none</span>}
      </div>
      {canEdit && (
        <form
          className="art-alias-form"
          onSubmit={(e) => {
            e.preventDefault();
            const a = alias.trim();
            if (a) change.mutate({ add: [a] });
          }}
        >
          <input className="tag-input" value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="new alias" aria-label="New alias" />
          <button className="btn btn-small" type="submit" disabled={change.isPending || !alias.trim()}>
            Add alias
          </button>
        </form>
      )}
      {/* The server's own sentence: e.g. why `latest` or `v3` cannot be set by hand. */}
      <ErrorBanner error={change.error} />
    </div>
  );
}

function DeleteVersion({ vref, entity, project }: { vref: VersionRef; entity: string; project: string }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => deleteVersion(vref),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: artifactsKey(vref.project) });
      navigate(artifactsHref(entity, project, vref.name));
    },
  });
  return (
    <div className="art-danger">
      <button
        className="btn btn-small"
        disabled={remove.isPending}
        onClick={() => {
          if (window.confirm(`Delete ${vref.name}:${vref.label}? Its aliases go; its files stay until the next gc.`)) remove.mutate();
        }}
      >
        Delete version
      </button>
      <ErrorBanner error={remove.error} />
    </div>
  );
}
