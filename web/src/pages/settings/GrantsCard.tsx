import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { deleteGrant, listGrants, putGrant, type GrantIn } from "../../api/projects";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { rolesQuery } from "../../queries/orgs";

type Kind = GrantIn["kind"];
const KINDS: Kind[] = ["run", "artifact", "report"];

/** Grants on one run, artifact collection or report to a user, team or organization (allow or deny). */
export function GrantsCard({ projectId }: { projectId: string }) {
  const client = useQueryClient();
  const queryKey = ["projects", projectId, "grants"];
  const grants = useQuery({ queryKey, queryFn: () => listGrants(projectId) });
  const roles = useQuery(rolesQuery());
  const settle = { onSettled: () => client.invalidateQueries({ queryKey }) };
  const [kind, setKind] = useState<Kind>("run");
  const [resource, setResource] = useState("");
  const [principal, setPrincipal] = useState("");
  const [effect, setEffect] = useState<GrantIn["effect"]>("allow");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  // The server's permission list, narrowed to those that apply to this kind of resource.
  const offered = (roles.data?.permissions ?? []).filter((p) => p.startsWith(`${kind}:`));
  const put = useMutation({
    mutationFn: () => putGrant(projectId, { kind, resource_id: resource.trim(), principal: principal.trim(), effect, permissions: [...picked].sort() }),
    onSuccess: () => setPicked(new Set()),
    ...settle,
  });
  const remove = useMutation({ mutationFn: (g: Parameters<typeof deleteGrant>[1]) => deleteGrant(projectId, g), ...settle });
  return (
    <section className="settings-card" aria-labelledby="grants-head">
      <h2 id="grants-head">Resource grants</h2>
      <p className="muted small">
        A member's access is the most their organization, team and project roles give; a grant here widens it on one run, artifact collection or
        report, and a deny narrows it there.
      </p>
      <ErrorBanner error={put.error ?? remove.error ?? grants.error} />
      {grants.isPending ? (
        <Loading what="Loading grants" />
      ) : !grants.data?.length ? (
        <Empty title="No grants on this project's resources" />
      ) : (
        <table className="keys-table" data-testid="grants-table">
          <thead>
            <tr>
              <th>Resource</th>
              <th>Principal</th>
              <th>Permissions</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {grants.data.map((g) => (
              <tr key={`${g.kind}/${g.resource_id}/${g.principal}`}>
                <td>
                  {g.kind} <span className="mono small">{g.resource_id}</span>
                </td>
                <td>{g.principal}</td>
                <td>
                  {g.effect === "deny" ? "deny " : ""}
                  {g.permissions.join(", ")}
                </td>
                <td>
                  <button className="btn btn-ghost" aria-label={`Remove grant for ${g.principal} on ${g.resource_id}`} onClick={() => remove.mutate(g)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          put.mutate();
        }}
      >
        <div className="settings-row">
          <select
            aria-label="Resource kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as Kind);
              setPicked(new Set());
            }}
          >
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
          <input placeholder="run id, artifact name or report id" aria-label="Resource id" value={resource} onChange={(e) => setResource(e.target.value)} required />
          <input placeholder="user:<name>, team:<name> or org:<name>" aria-label="Principal" value={principal} onChange={(e) => setPrincipal(e.target.value)} required />
          <select aria-label="Effect" value={effect} onChange={(e) => setEffect(e.target.value as GrantIn["effect"])}>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
          </select>
        </div>
        <div className="settings-row">
          {offered.map((p) => (
            <label key={p} className="small">
              <input
                type="checkbox"
                checked={picked.has(p)}
                onChange={(e) => setPicked((old) => (e.target.checked ? new Set([...old, p]) : new Set([...old].filter((x) => x !== p))))}
              />{" "}
              {p}
            </label>
          ))}
          <button className="btn btn-primary" type="submit" disabled={put.isPending || picked.size === 0}>
            Grant
          </button>
        </div>
      </form>
    </section>
  );
}
