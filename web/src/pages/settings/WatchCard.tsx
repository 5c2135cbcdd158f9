import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { setSubscription, type EventKind, type Subscription } from "../../api/notifications";
import { ErrorBanner, Loading } from "../../components/status";
import { subscriptionQuery, webhooksQuery } from "../../queries/notifications";

const EVENTS: { kind: EventKind; label: string }[] = [
  { kind: "run_crashed", label: "A run crashed" },
  { kind: "run_failed", label: "A run failed" },
  { kind: "run_finished", label: "A run finished" },
  { kind: "alert", label: "A run sent an alert" },
  { kind: "mention", label: "I am @mentioned" },
  { kind: "review_request", label: "My review is requested" },
];

/** What the signed-in user hears about in this project: in the bell always, and by email if chosen. */
export function WatchCard({ projectId }: { projectId: string }) {
  const client = useQueryClient();
  const query = subscriptionQuery(projectId);
  const sub = useQuery(query);
  const hooks = useQuery(webhooksQuery());
  const save = useMutation({
    mutationFn: (next: Subscription) => setSubscription(projectId, { events: next.events as EventKind[], email: next.email, webhook_ids: next.webhook_ids }),
    onSuccess: (saved) => client.setQueryData(query.queryKey, saved),
  });
  const current = save.isPending && save.variables ? save.variables : sub.data;
  return (
    <section className="settings-card" aria-labelledby="watch-head">
      <h2 id="watch-head">Notifications</h2>
      <p className="muted small">Tell me in the bell when…</p>
      <ErrorBanner error={save.error ?? sub.error} />
      {!current ? (
        <Loading what="Loading your subscription" />
      ) : (
        <div className="permission-grid" role="group" aria-label="Notify me about">
          {EVENTS.map(({ kind, label }) => (
            <label key={kind} className="small">
              <input
                type="checkbox"
                checked={current.events.includes(kind)}
                onChange={(e) =>
                  save.mutate({
                    ...current,
                    events: e.target.checked ? [...current.events, kind] : current.events.filter((k) => k !== kind),
                  })
                }
              />{" "}
              {label}
            </label>
          ))}
          <label className="small">
            <input type="checkbox" checked={current.email} onChange={(e) => save.mutate({ ...current, email: e.target.checked })} /> Also by email
          </label>
          {hooks.data?.map((h) => (
            <label key={h.id} className="small">
              <input
                type="checkbox"
                checked={current.webhook_ids.includes(h.id)}
                onChange={(e) =>
                  save.mutate({
                    ...current,
                    webhook_ids: e.target.checked ? [...current.webhook_ids, h.id] : current.webhook_ids.filter((id) => id !== h.id),
                  })
                }
              />{" "}
              Also to webhook {h.name || h.url}
            </label>
          ))}
        </div>
      )}
      <p className="muted small">
        Webhooks are yours, set on your <Link to="/settings/profile">profile</Link>.
      </p>
    </section>
  );
}
