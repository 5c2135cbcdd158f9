import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { createRole, deleteRole, type RoleList } from "../../api/orgs";
import { ErrorBanner } from "../../components/status";
import { rolesKey } from "../../queries/orgs";

/** Built-in and custom roles; a custom role is built from the server's permission list. */
export function RolesCard({ roles }: { roles: RoleList }) {
  const client = useQueryClient();
  const settle = { onSettled: () => client.invalidateQueries({ queryKey: rolesKey }) };
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const create = useMutation({
    mutationFn: () => createRole(name.trim(), [...picked].sort(), description.trim()),
    onSuccess: () => {
      setName("");
      setDescription("");
      setPicked(new Set());
    },
    ...settle,
  });
  const remove = useMutation({ mutationFn: deleteRole, ...settle });
  const toggle = (p: string) =>
    setPicked((old) => {
      const next = new Set(old);
      if (!next.delete(p)) next.add(p);
      return next;
    });
  return (
    <section className="settings-card" aria-labelledby="roles-head">
      <h2 id="roles-head">Roles</h2>
      <ErrorBanner error={create.error ?? remove.error} />
      <table className="keys-table" data-testid="roles-table">
        <thead>
          <tr>
            <th>Role</th>
            <th>Permissions</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {roles.items.map((r) => (
            <tr key={r.name} data-role={r.name}>
              <td>
                {r.name} {r.builtin && <span className="badge">built-in</span>}
                {r.description && <div className="muted small">{r.description}</div>}
              </td>
              <td className="small">{r.permissions.join(", ")}</td>
              <td>
                {!r.builtin && (
                  <button
                    className="btn btn-ghost"
                    aria-label={`Delete role ${r.name}`}
                    onClick={() => {
                      if (window.confirm(`Delete the role “${r.name}”? Members holding it lose its permissions.`)) remove.mutate(r.name);
                    }}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>New custom role</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="settings-row">
          <input placeholder="Role name, e.g. reviewer" aria-label="New role name" value={name} onChange={(e) => setName(e.target.value)} required />
          <input placeholder="Description (optional)" aria-label="New role description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <fieldset className="permission-grid">
          <legend className="small muted">Permissions</legend>
          {(roles.permissions ?? []).map((p) => (
            <label key={p} className="small">
              <input type="checkbox" checked={picked.has(p)} onChange={() => toggle(p)} /> {p}
            </label>
          ))}
        </fieldset>
        <button className="btn btn-primary" type="submit" disabled={create.isPending || picked.size === 0}>
          Create role
        </button>
      </form>
    </section>
  );
}
