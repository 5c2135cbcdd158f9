// Comment threads beside a report, each anchored to a block or a text range in it: start one on the
// focused block or the selected text, reply, resolve and re-open; a thread's quote shows where it is.
// "@username" in a body notifies that user (the server decides who may hear). Typing "@" offers
// the report's mentionable people.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorBanner, Loading } from "../../components/status";
import { createThread, mentionable, replyToThread, resolveThread, type Anchor, type Thread } from "./api";
import { hasRange } from "./comments/anchor";
import { threadsQuery } from "./queries";

interface Props {
  reportId: string;
  /** Where a new thread anchors: the focused block, or the text selected in it; null: pick a block first. */
  anchor: Anchor | null;
  /** Shows a thread's anchor in the report (scrolls to it and marks it). */
  onShow?: (t: Thread) => void;
  canComment: boolean;
}

const short = (q: string) => (q.length > 80 ? `${q.slice(0, 80)}…` : q);

/** A textarea that offers @-completions for the word being typed. */
function MentionBox({ reportId, value, onChange, label }: { reportId: string; value: string; onChange: (v: string) => void; label: string }) {
  const word = /(?:^|\s)@([\w.-]*)$/.exec(value)?.[1];
  const people = useQuery({ queryKey: ["reports", "mentionable", reportId, word], queryFn: () => mentionable(reportId, word ?? ""), enabled: word !== undefined });
  return (
    <div className="report-mention-box">
      <textarea value={value} onChange={(e) => onChange(e.target.value)} rows={2} aria-label={label} placeholder="Comment… (@ to mention)" />
      {word !== undefined && (people.data?.length ?? 0) > 0 && (
        <ul className="report-suggest report-suggest-inline" role="listbox" aria-label="Mention">
          {people.data!.slice(0, 6).map((u) => (
            <li key={u.username} role="option" aria-selected={false} className="report-suggest-item" onMouseDown={(e) => (e.preventDefault(), onChange(value.replace(/@[\w.-]*$/, `@${u.username} `)))}>
              @{u.username} <span className="muted small">{u.name}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ThreadCard({ reportId, t, onShow, canComment }: { reportId: string; t: Thread; onShow?: (t: Thread) => void; canComment: boolean }) {
  const qc = useQueryClient();
  const [reply, setReply] = useState("");
  const refresh = { onSuccess: () => qc.invalidateQueries({ queryKey: threadsQuery(reportId).queryKey }) };
  const send = useMutation({ mutationFn: () => replyToThread(reportId, t.id, reply.trim()), ...refresh, onSettled: () => setReply("") });
  const resolve = useMutation({ mutationFn: () => resolveThread(reportId, t.id, !t.resolved), ...refresh });
  return (
    <li className={`report-thread${t.resolved ? " resolved" : ""}`} data-thread={t.id} data-anchor={t.anchor.block_id} data-range={hasRange(t.anchor) || undefined}>
      <button className="report-thread-anchor small" onClick={() => onShow?.(t)} title={t.anchor.quote ? "Show the text" : "Show the block"}>
        {t.anchor.quote ? <span className="report-thread-quote">“{short(t.anchor.quote)}”</span> : "On a block"}
      </button>
      {t.comments.map((c) => (
        <div key={c.id} className="report-comment">
          <div className="small">
            <b>{c.author}</b> <span className="muted">{new Date(c.created_at).toLocaleString()}</span>
          </div>
          <div className="report-comment-body">{c.body}</div>
        </div>
      ))}
      {canComment && (
        <div className="report-thread-actions">
          {!t.resolved && <MentionBox reportId={reportId} value={reply} onChange={setReply} label="Reply" />}
          <div className="row">
            {!t.resolved && (
              <button className="btn btn-small" disabled={!reply.trim() || send.isPending} onClick={() => send.mutate()}>
                Reply
              </button>
            )}
            <button className="btn btn-small" onClick={() => resolve.mutate()} disabled={resolve.isPending}>
              {t.resolved ? "Re-open" : "Resolve"}
            </button>
          </div>
          <ErrorBanner error={send.error ?? resolve.error} />
        </div>
      )}
    </li>
  );
}

export function CommentsSidebar({ reportId, anchor, onShow, canComment }: Props) {
  const qc = useQueryClient();
  const threads = useQuery(threadsQuery(reportId));
  const [body, setBody] = useState("");
  const [showResolved, setShowResolved] = useState(false);
  const start = useMutation({
    mutationFn: () => createThread(reportId, anchor!, body.trim()),
    onSuccess: () => {
      setBody("");
      void qc.invalidateQueries({ queryKey: threadsQuery(reportId).queryKey });
    },
  });
  const shown = (threads.data ?? []).filter((t) => showResolved || !t.resolved);
  return (
    <aside className="report-comments" aria-label="Comments">
      <div className="report-comments-head">
        <b>Comments</b>
        <label className="small">
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> Resolved
        </label>
      </div>
      {canComment && (
        <div className="report-new-thread">
          {anchor?.quote && (
            <div className="small muted" data-testid="new-comment-quote">
              On <span className="report-thread-quote">“{short(anchor.quote)}”</span>
            </div>
          )}
          <MentionBox reportId={reportId} value={body} onChange={setBody} label="New comment" />
          <button className="btn btn-small" disabled={!anchor || !body.trim() || start.isPending} onClick={() => start.mutate()} title={anchor ? "Comment on the selected block or text" : "Select a block or some text first"}>
            {anchor && hasRange(anchor) ? "Comment on selection" : "Comment on block"}
          </button>
          <ErrorBanner error={start.error} />
        </div>
      )}
      <ErrorBanner error={threads.error} />
      {threads.isPending ? (
        <Loading what="Loading comments" />
      ) : (
        <ul className="report-threads">
          {shown.map((t) => (
            <ThreadCard key={t.id} reportId={reportId} t={t} onShow={onShow} canComment={canComment} />
          ))}
          {shown.length === 0 && <li className="muted small">No comments{showResolved ? "" : " open"}.</li>}
        </ul>
      )}
    </aside>
  );
}
