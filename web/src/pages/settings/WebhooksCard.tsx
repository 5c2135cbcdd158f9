import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createWebhook, deleteWebhook, type Webhook, type WebhookCreated } from "../../api/notifications";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { deliveriesQuery, webhooksKey, webhooksQuery } from "../../queries/notifications";
import { when } from "./format";

/** The signed-in user's webhooks: create (the signing secret is shown once), delivery log, delete.
 * A project's notification settings choose which of them hear its events. */
export function WebhooksCard() {
  const client = useQueryClient();
  const hooks = useQuery(webhooksQuery());
  const settle = { onSettled: () => client.invalidateQueries({ queryKey: webhooksKey }) };
  const [url, setUrl] = useState("");
  const [name, setName] = useState("");
  const [created, setCreated] = useState<WebhookCreated | null>(null);
  const create = useMutation({
    mutationFn: () => createWebhook(url.trim(), name.trim()),
    onSuccess: (hook) => {
      setCreated(hook);
      setUrl("");
      setName("");
    },
    ...settle,
  });
  const remove = useMutation({ mutationFn: deleteWebhook, ...settle });
  return (
    <section className="settings-card" aria-labelledby="webhooks-head">
      <h2 id="webhooks-head">Webhooks</h2>
      <p className="muted small">
        Events of the projects you watch are POSTed as JSON, signed with HMAC-SHA256 in <code>X-Wanllmdb-Signature</code>, and retried with
        backoff. Private and link-local addresses are refused.
      </p>
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          setCreated(null);
          create.mutate();
        }}
      >
        <input type="url" placeholder="https://hooks.example.com/wanllmdb" aria-label="Webhook URL" value={url} onChange={(e) => setUrl(e.target.value)} required />
        <input placeholder="Name (optional)" aria-label="Webhook name" value={name} onChange={(e) => setName(e.target.value)} maxLength={128} />
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          Add webhook
        </button>
      </form>
      <ErrorBanner error={create.error ?? remove.error ?? hooks.error} />
      {created && (
        <div className="new-key" role="status" data-testid="new-webhook">
          Signing secret of <strong>{created.name || created.url}</strong>: copy it now, it is not shown again.{" "}
          <code className="mono">{created.secret}</code>
        </div>
      )}
      {hooks.isPending ? (
        <Loading what="Loading webhooks" />
      ) : !hooks.data?.length ? (
        <Empty title="No webhooks" />
      ) : (
        hooks.data.map((h) => <WebhookRow key={h.id} hook={h} onDelete={() => remove.mutate(h.id)} />)
      )}
    </section>
  );
}

function WebhookRow({ hook, onDelete }: { hook: Webhook; onDelete: () => void }) {
  const [open, setOpen] = useState(false);
  const deliveries = useQuery({ ...deliveriesQuery(hook.id), enabled: open });
  return (
    <div className="team-block" data-webhook={hook.id}>
      <div className="settings-row">
        <strong>{hook.name || "webhook"}</strong> <span className="mono small">{hook.url}</span>
        <button className="btn btn-small" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          Delivery log
        </button>
        <button
          className="btn btn-small btn-ghost"
          aria-label={`Delete webhook ${hook.name || hook.url}`}
          onClick={() => {
            if (window.confirm(`Delete the webhook to ${hook.url}?`)) onDelete();
          }}
        >
          Delete
        </button>
      </div>
      {open && (
        <>
          <ErrorBanner error={deliveries.error} />
          {deliveries.data?.length === 0 && <p className="muted small">Nothing delivered yet.</p>}
          {!!deliveries.data?.length && (
            <table className="keys-table">
              <thead>
                <tr>
                  <th>Event</th>
                  <th>Status</th>
                  <th>Attempts</th>
                  <th>Answer</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.map((d) => (
                  <tr key={d.id}>
                    <td>{d.event}</td>
                    <td>{d.status}</td>
                    <td className="num">{d.attempts}</td>
                    <td className="small">{d.error ?? d.response_status ?? ""}</td>
                    <td>{when(d.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
