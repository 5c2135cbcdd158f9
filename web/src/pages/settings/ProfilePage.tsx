import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createKey, revokeKey, type ApiKeyCreated } from "../../api/account";
import { readSignedIn } from "../../auth/session";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { keysKey, keysQuery } from "../../queries/account";
import "./settings.css";

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "never");

/** /settings/profile: who is signed in and their API keys (list, create with the secret shown once, revoke). */
export default function ProfilePage() {
  const user = readSignedIn();
  const client = useQueryClient();
  const keys = useQuery(keysQuery());
  const refresh = { onSettled: () => client.invalidateQueries({ queryKey: keysKey }) };
  const [name, setName] = useState("");
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const create = useMutation({ mutationFn: (n: string) => createKey(n), onSuccess: setCreated, ...refresh });
  const revoke = useMutation({ mutationFn: revokeKey, ...refresh });

  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>Profile</h1>
      </div>
      <section className="settings-card">
        <h2>Account</h2>
        <p>
          Signed in as <strong data-testid="profile-username">{user?.username}</strong>
        </p>
      </section>
      <section className="settings-card">
        <h2>API keys</h2>
        <p className="muted small">
          Scripts use a key as <code>WANLLMDB_API_KEY</code> or through <code>wanllmdb login</code>. A key is shown once, when it is created.
        </p>
        <form
          className="key-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(name.trim() || "default");
            setName("");
          }}
        >
          <input placeholder="Key name, e.g. laptop" value={name} onChange={(e) => setName(e.target.value)} aria-label="New key name" maxLength={128} />
          <button className="btn btn-primary" type="submit" disabled={create.isPending}>
            Create key
          </button>
        </form>
        <ErrorBanner error={create.error ?? revoke.error ?? (keys.data ? undefined : keys.error)} />
        {created && (
          <div className="new-key" role="status" data-testid="new-key">
            <p>
              New key <strong>{created.name}</strong>: copy it now, it is not shown again.
            </p>
            <code className="mono" data-testid="new-key-secret">
              {created.key}
            </code>{" "}
            <button className="btn" type="button" onClick={() => void navigator.clipboard?.writeText(created.key)}>
              Copy
            </button>{" "}
            <button className="btn btn-ghost" type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        )}
        {keys.isPending ? (
          <Loading what="Loading keys" />
        ) : !keys.data?.length ? (
          <Empty title="No API keys" />
        ) : (
          <table className="keys-table" data-testid="keys-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Id</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id} data-key-id={k.id}>
                  <td>{k.name}</td>
                  <td className="mono small">{k.id}</td>
                  <td>{when(k.created_at)}</td>
                  <td>{when(k.last_used_at)}</td>
                  <td>
                    <button
                      className="btn btn-ghost"
                      disabled={revoke.isPending}
                      aria-label={`Revoke ${k.name}`}
                      onClick={() => {
                        if (window.confirm(`Revoke the key “${k.name}”? Scripts using it stop working.`)) revoke.mutate(k.id);
                      }}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
