import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { outboxQuery } from "../../queries/notifications";
import "./settings.css";

/** /settings/outbox: the emails a local server wrote to its outbox folder instead of sending (tenant admins). */
export default function OutboxPage() {
  const outbox = useQuery(outboxQuery());
  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>Email outbox</h1>
        <Link to="/settings/org">Organization settings</Link>
        <button className="btn" onClick={() => void outbox.refetch()} disabled={outbox.isFetching}>
          Refresh
        </button>
      </div>
      <p className="muted small">The local server sends no email: each message it would have sent is written here, newest first (the last 50).</p>
      <ErrorBanner error={outbox.error} />
      {outbox.isPending ? (
        <Loading what="Loading the outbox" />
      ) : !outbox.data?.length ? (
        !outbox.error && <Empty title="The outbox is empty">Tick “Also by email” in a project's notification settings to get mail here.</Empty>
      ) : (
        <ul className="outbox-list settings-card" data-testid="outbox-list">
          {outbox.data.map((m) => (
            <li key={m.file}>
              <strong>{m.subject}</strong> <span className="muted small">to {m.to}</span>
              <pre>{m.text}</pre>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
