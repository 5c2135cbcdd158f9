// /:entity/:project/reports/:reportId: the report read-only, with its comments beside it and,
// for an editor, the way to edit, share and see its history. ?frozen=1 shows the panels as read
// once (no polling), as the PDF export asks for.
import { useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorBanner, Loading } from "../../components/status";
import { exportMarkdownUrl, setStar, type Anchor, type Report, type Thread } from "./api";
import { CommentsSidebar } from "./CommentsSidebar";
import { anchorRange } from "./comments/useCommentHighlights";
import { reportEditHref, reportHistoryHref, reportsHref } from "./links";
import { reportQuery, reportsKey, threadsQuery } from "./queries";
import { ReportView } from "./ReportView";
import { ShareDialog } from "./ShareDialog";
import { useSignedIn } from "../../auth/useSignedIn";

export function ReportHeader({ report, children }: { report: Report; children?: React.ReactNode }) {
  return (
    <div className="page-head report-head">
      <div>
        <div className="muted small">
          <Link to={reportsHref(report.entity, report.project)}>
            {report.entity}/{report.project} · Reports
          </Link>
        </div>
        <h1 data-testid="report-title">{report.title || "Untitled report"}</h1>
        <div className="muted small">
          <span className={`badge report-state-${report.state}`}>{report.state === "draft" ? "Draft" : "Published"}</span> v{report.version} · {report.owner} ·{" "}
          {new Date(report.updated_at).toLocaleString()}
        </div>
        {report.description && <p className="muted">{report.description}</p>}
      </div>
      <div className="head-actions">{children}</div>
    </div>
  );
}

export default function ReportPage() {
  const { reportId = "" } = useParams();
  const [params] = useSearchParams();
  const q = useQuery(reportQuery(reportId));
  const qc = useQueryClient();
  const signedIn = useSignedIn();
  const [comments, setComments] = useState(true);
  const [sharing, setSharing] = useState(false);
  // Where a new comment goes (a block, or the text selected in it), and the thread being looked at.
  const [anchor, setAnchor] = useState<Anchor | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const showComments = comments && !!signedIn;
  const threads = useQuery({ ...threadsQuery(reportId), enabled: showComments });
  const open = useMemo(() => (threads.data ?? []).filter((t) => !t.resolved), [threads.data]);
  const star = useMutation({ mutationFn: (r: Report) => setStar(r.id, !r.starred), onSettled: () => qc.invalidateQueries({ queryKey: reportsKey }) });
  if (!q.data) return q.error ? <ErrorBanner error={q.error} onRetry={() => void q.refetch()} /> : <Loading what="Loading report" />;
  const r = q.data;
  const show = (t: Thread) => {
    setAnchor({ block_id: t.anchor.block_id });
    setActive(t.id);
    const view = document.querySelector('[data-testid="report-view"]');
    const range = view && anchorRange(view, t.anchor);
    const target = range?.startContainer.parentElement ?? document.getElementById(`block-${t.anchor.block_id}`);
    target?.scrollIntoView({ block: "center" });
  };
  return (
    <div className="page report-page">
      <ReportHeader report={r}>
        {signedIn && (
          <button className="btn" onClick={() => star.mutate(r)} aria-pressed={r.starred}>
            {r.starred ? "★ Starred" : "☆ Star"}
          </button>
        )}
        <button className="btn" onClick={() => setComments(!comments)} aria-pressed={comments}>
          Comments
        </button>
        <Link className="btn" to={reportHistoryHref(r)}>
          History
        </Link>
        <a className="btn" href={exportMarkdownUrl(r.id)} download>
          Export .md
        </a>
        {r.can_edit && (
          <>
            <button className="btn" onClick={() => setSharing(true)}>
              Share
            </button>
            <Link className="btn btn-primary" to={reportEditHref(r)}>
              Edit
            </Link>
          </>
        )}
      </ReportHeader>
      {sharing && <ShareDialog report={r} onClose={() => setSharing(false)} />}
      <div className="report-layout">
        <ReportView
          spec={r.spec}
          frozen={params.get("frozen") === "1"}
          highlight={anchor?.block_id ?? null}
          comments={showComments ? open : undefined}
          activeComment={active}
          onCommentSelection={showComments ? (a) => (setAnchor(a), setActive(null)) : undefined}
          blockAside={
            showComments
              ? (id) => (
                  <button className="icon-btn report-comment-btn" title="Comment on this block" aria-label="Comment on this block" onClick={() => (setAnchor({ block_id: id }), setActive(null))}>
                    💬
                  </button>
                )
              : undefined
          }
        />
        {showComments && <CommentsSidebar reportId={r.id} anchor={anchor} onShow={show} canComment />}
      </div>
    </div>
  );
}
