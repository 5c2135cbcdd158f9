import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createKey, revokeKey, type ApiKeyCreated, type KeyScope } from "../../api/account";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { keysKey, keysQuery } from "../../queries/account";
import { when } from "./format";

const EXPIRIES: { label: string; days: number | null }[] = [
  { label: "Never", days: null },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
];

/** The signed-in user's API keys: create with a scope and an expiry (the secret is shown once), list, revoke. */
export function KeysCard() {
  const client = useQueryClient();
  const keys = useQuery(keysQuery());
  const refresh = { onSettled: () => client.invalidateQueries({ queryKey: keysKey }) };
  const [name, setName] = useState("");
  const [scope, setScope] = useState<KeyScope>("all");
  const [expiry, setExpiry] = useState(0);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const create = useMutation({ mutationFn: createKey, onSuccess: setCreated, ...refresh });
  const revoke = useMutation({ mutationFn: revokeKey, ...refresh });

  return (
    <section className="settings-card" aria-labelledby="keys-head">
      <h2 id="keys-head">API keys</h2>
      <p className="muted small">
        Scripts use a key as <code>WANLLMDB_API_KEY</code> or through <code>wanllmdb login</code>. A key is shown once, when it is created. A
        read-only key may only read; an expired key stops working.
      </p>
      <form
        className="key-form"
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(null);
          create.mutate({ name: name.trim() || "default", scope, expiresInDays: EXPIRIES[expiry].days });
          setName("");
        }}
      >
        <input placeholder="Key name, e.g. laptop" value={name} onChange={(e) => setName(e.target.value)} aria-label="New key name" maxLength={128} />
        <select aria-label="Key scope" value={scope} onChange={(e) => setScope(e.target.value as KeyScope)}>
          <option value="all">Full access</option>
          <option value="read">Read-only</option>
        </select>
        <select aria-label="Key expiry" value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
          {EXPIRIES.map((x, i) => (
            <option key={x.label} value={i}>
              {x.days === null ? "Never expires" : `Expires in ${x.label}`}
            </option>
          ))}
        </select>
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
              <th>Scope</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id} data-key-id={k.id}>
                <td>{k.name}</td>
                <td className="mono small">{k.id}</td>
                <td>{k.scope === "read" ? "read-only" : "full"}</td>
                <td>{when(k.created_at)}</td>
                <td>{k.expires_at ? when(k.expires_at) : "never"}</td>
                <td data-testid="key-last-used">{when(k.last_used_at)}</td>
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
  );
}
