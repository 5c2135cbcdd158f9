import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createRegistry } from "../../api/registry";
import { useSignedIn } from "../../auth/useSignedIn";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { Markdown } from "../../components/Markdown";
import { orgsQuery } from "../../queries/orgs";
import { registriesQuery, registryKey } from "../../queries/registry";
import { INBOX_HREF, registryHref } from "./links";
import "./registry.css";

/** /registries: every registry the caller can see, and a new one for an entity they own. */
export default function RegistriesPage() {
  const { data, error, isPending, refetch } = useQuery(registriesQuery());
  return (
    <div className="page">
      <div className="page-head">
        <h1>Registries</h1>
        <div className="head-actions">
          <Link to={INBOX_HREF} className="btn">
            Review requests
          </Link>
        </div>
      </div>
      <ErrorBanner error={error} onRetry={() => void refetch()} />
      {isPending ? (
        <Loading what="Loading registries" />
      ) : data && data.length === 0 ? (
        <Empty title="No registry yet">
          Create one below, or link a model from a run with <code>run.link_model(path, "my-model")</code>.
        </Empty>
      ) : (
        <table className="table" data-testid="registries">
          <thead>
            <tr>
              <th>Registry</th>
              <th>Description</th>
              <th className="num">Models</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {data?.map((r) => (
              <tr key={r.id} data-registry={`${r.entity}/${r.name}`}>
                <td>
                  <Link to={registryHref(r.entity, r.name)} className="project-link">
                    <span className="muted">{r.entity}/</span>
                    {r.name}
                  </Link>
                </td>
                <td className="reg-description-cell">{r.description ? <Markdown source={firstLine(r.description)} className="md-inline" /> : null}</td>
                <td className="num">{r.model_count}</td>
                <td className="muted">{new Date(r.created_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewRegistry />
    </div>
  );
}

/** A description's first paragraph, for a table cell. */
const firstLine = (text: string) => text.trim().split(/\n\s*\n/)[0];

function NewRegistry() {
  const me = useSignedIn();
  const orgs = useQuery({ ...orgsQuery(), enabled: !!me });
  const qc = useQueryClient();
  const [entity, setEntity] = useState("");
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => createRegistry({ entity: entity || me || "", name: name.trim(), description: "" }),
    onSuccess: () => {
      setName("");
      void qc.invalidateQueries({ queryKey: registryKey });
    },
  });
  if (!me) return null;
  const owners = [me, ...(orgs.data ?? []).map((o) => o.name)];
  return (
    <details className="reg-new">
      <summary>New registry</summary>
      <form
        className="reg-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <select value={entity || me} onChange={(e) => setEntity(e.target.value)} aria-label="Registry owner">
          {owners.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <span className="muted">/</span>
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="model" aria-label="New registry name" />
        <button className="btn btn-primary" type="submit" disabled={create.isPending || !name.trim()}>
          Create registry
        </button>
      </form>
      <ErrorBanner error={create.error} />
    </details>
  );
}
