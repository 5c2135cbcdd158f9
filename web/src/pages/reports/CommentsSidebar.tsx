// Comment threads beside a report, each anchored to a block: start one on the focused block, reply,
// resolve and re-open. "@username" in a body notifies that user (the server decides who may hear).
// Typing "@" offers the report's mentionable people.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorBanner, Loading } from "../../components/status";
import { createThread, mentionable, replyToThread, resolveThread, type Thread } from "./api";
import { threadsQuery } from "./queries";

interface Props {
  reportId: string;
  /** The block a new thread anchors to (the focused one); null: pick a block first. */
  blockId: string | null;
  onFocusBlock?: (blockId: string) => void;
  canComment: boolean;
}

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

function ThreadCard({ reportId, t, onFocusBlock, canComment }: { reportId: string; t: Thread; onFocusBlock?: (id: string) => void; canComment: boolean }) {
  const qc = useQueryClient();
  const [reply, setReply] = useState("");
  const refresh = { onSuccess: () => qc.invalidateQueries({ queryKey: threadsQuery(reportId).queryKey }) };
  const send = useMutation({ mutationFn: () => replyToThread(reportId, t.id, reply.trim()), ...refresh, onSettled: () => setReply("") });
  const resolve = useMutation({ mutationFn: () => resolveThread(reportId, t.id, !t.resolved), ...refresh });
  return (
    <li className={`report-thread${t.resolved ? " resolved" : ""}`} data-thread={t.id} data-anchor={t.anchor.block_id}>
      <button className="report-thread-anchor small" onClick={() => onFocusBlock?.(t.anchor.block_id)} title="Show the block">
        {t.anchor.quote ? `“${t.anchor.quote}”` : "On a block"}
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

export function CommentsSidebar({ reportId, blockId, onFocusBlock, canComment }: Props) {
  const qc = useQueryClient();
  const threads = useQuery(threadsQuery(reportId));
  const [body, setBody] = useState("");
  const [showResolved, setShowResolved] = useState(false);
  const start = useMutation({
    mutationFn: () => createThread(reportId, { block_id: blockId! }, body.trim()),
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
          <MentionBox reportId={reportId} value={body} onChange={setBody} label="New comment" />
          <button className="btn btn-small" disabled={!blockId || !body.trim() || start.isPending} onClick={() => start.mutate()} title={blockId ? "Comment on the selected block" : "Select a block first"}>
            Comment on block
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
            <ThreadCard key={t.id} reportId={reportId} t={t} onFocusBlock={onFocusBlock} canComment={canComment} />
          ))}
          {shown.length === 0 && <li className="muted small">No comments{showResolved ? "" : " open"}.</li>}
        </ul>
      )}
    </aside>
  );
}
