import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { inbox as readInbox, markRead, type Notification } from "../api/notifications";
import { inboxKey, inboxQuery } from "../queries/notifications";
import { objectPath } from "../pages/links/objectPath";
import { ErrorBanner } from "./status";

/** The header's bell: the unread count, and a dropdown of the newest notifications to open and mark read. */
export function NotificationBell() {
  const client = useQueryClient();
  const inbox = useQuery(inboxQuery());
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  // Pages past the first, fetched on demand; the polled first page stays the query's.
  const [older, setOlder] = useState<{ items: Notification[]; cursor: string | null } | null>(null);
  const read = useMutation({
    mutationFn: (ids: string[]) => markRead(ids),
    onSuccess: (page, ids) => {
      client.setQueryData(inboxKey, page);
      setOlder((o) => o && { ...o, items: o.items.map((n) => (ids.length === 0 || ids.includes(n.id) ? { ...n, read: true } : n)) });
    },
  });
  const more = useMutation({
    mutationFn: (cursor: string) => readInbox({ cursor }),
    onSuccess: (page) => setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], cursor: page.next_cursor ?? null })),
  });
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const unread = inbox.data?.unread ?? 0;
  const first = inbox.data?.items ?? [];
  const seen = new Set(first.map((n) => n.id));
  const items = [...first, ...(older?.items ?? []).filter((n) => !seen.has(n.id))];
  const nextCursor = older ? older.cursor : (inbox.data?.next_cursor ?? null);
  return (
    <div className="bell" ref={box}>
      <button
        className="btn btn-ghost bell-button"
        aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
        {unread > 0 && (
          <span className="bell-count" data-testid="bell-count">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-menu" role="dialog" aria-label="Notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button className="btn btn-small" disabled={unread === 0 || read.isPending} onClick={() => read.mutate([])}>
              Mark all read
            </button>
          </div>
          <ErrorBanner error={read.error ?? more.error ?? inbox.error} />
          {items.length === 0 ? (
            <p className="muted small bell-empty">Nothing yet. Watch a project in its settings to hear when its runs finish or crash.</p>
          ) : (
            <ul className="bell-list" data-testid="bell-list">
              {items.map((n) => (
                <BellItem key={n.id} n={n} onRead={() => read.mutate([n.id])} onOpen={() => setOpen(false)} />
              ))}
            </ul>
          )}
          <div className="bell-foot">
            {nextCursor ? (
              <button className="btn btn-small" onClick={() => more.mutate(nextCursor)} disabled={more.isPending}>
                Older notifications
              </button>
            ) : (
              <span />
            )}
            <Link to="/settings/outbox" className="small" onClick={() => setOpen(false)}>
              Email outbox
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}

function BellItem({ n, onRead, onOpen }: { n: Notification; onRead: () => void; onOpen: () => void }) {
  const to = objectPath(n.link, n.project_id);
  const open = () => {
    if (!n.read) onRead();
    onOpen();
  };
  return (
    <li className={n.read ? "bell-item" : "bell-item unread"} data-kind={n.kind} data-read={n.read}>
      <div>
        <span className={`bell-level bell-level-${n.level.toLowerCase()}`}>{n.level}</span>{" "}
        {to ? (
          <Link to={to} onClick={open}>
            {n.title}
          </Link>
        ) : (
          n.title
        )}
      </div>
      {n.text && <div className="small">{n.text}</div>}
      <div className="bell-meta">
        <span className="muted small">{new Date(n.created_at).toLocaleString()}</span>
        {!n.read && (
          <button className="btn btn-small btn-ghost" onClick={onRead} aria-label={`Mark “${n.title}” read`}>
            Mark read
          </button>
        )}
      </div>
    </li>
  );
}

/** A bell outline; drawn, not an emoji, so it shows without an emoji font. */
function BellIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0" />
    </svg>
  );
}
