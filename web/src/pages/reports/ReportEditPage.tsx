// /:entity/:project/reports/:reportId/edit: the editor (its own chunk: TipTap, lowlight and the
// grid load only here), with comments beside it anchored to the block the caret is in.
import { useState } from "react";
import { Navigate, useParams } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorBanner, Loading } from "../../components/status";
import { CommentsSidebar } from "./CommentsSidebar";
import { reportHref } from "./links";
import { reportQuery } from "./queries";
import ReportEditor from "./ReportEditor";
import { ShareDialog } from "./ShareDialog";

export default function ReportEditPage() {
  const { reportId = "" } = useParams();
  // Fetched fresh: the editor starts from the current version (base_version of the next save).
  const q = useQuery({ ...reportQuery(reportId), staleTime: 0, refetchOnWindowFocus: false });
  const qc = useQueryClient();
  const [focus, setFocus] = useState<string | null>(null);
  const [comments, setComments] = useState(false);
  const [sharing, setSharing] = useState(false);
  if (!q.data || q.isFetching) return q.error ? <ErrorBanner error={q.error} onRetry={() => void q.refetch()} /> : <Loading what="Loading report" />;
  const r = q.data;
  if (!r.can_edit) return <Navigate to={reportHref(r)} replace />;
  return (
    <div className="page report-page">
      {sharing && <ShareDialog report={r} onClose={() => setSharing(false)} />}
      <div className="report-layout">
        <ReportEditor
          key={r.id}
          report={r}
          onSaved={(saved) => qc.setQueryData(reportQuery(r.id).queryKey, saved)}
          onBlockFocus={setFocus}
          actions={
            <>
              <button className="btn" onClick={() => setComments(!comments)} aria-pressed={comments}>
                Comments
              </button>
              <button className="btn" onClick={() => setSharing(true)}>
                Share
              </button>
            </>
          }
        />
        {comments && <CommentsSidebar reportId={r.id} blockId={focus} canComment />}
      </div>
    </div>
  );
}
