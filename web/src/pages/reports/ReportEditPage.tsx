// /:entity/:project/reports/:reportId/edit: the editor (its own chunk: TipTap, lowlight and the
// grid load only here), with comments beside it anchored to the block the caret is in. Everyone who
// edits the report edits one shared Yjs document (collab/): the first to open it seeds it from the
// saved spec, and saving still writes a version.
import { getSchema } from "@tiptap/core";
import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import { useEffect, useMemo, useState, type ComponentProps } from "react";
import { Navigate, useParams } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { readSignedIn } from "../../auth/session";
import { ErrorBanner, Loading } from "../../components/status";
import type { Anchor } from "./api";
import { seedDoc } from "./collab/provider";
import { useCollab } from "./collab/useCollab";
import { schemaExtensions } from "./editor/extensions";
import { CommentsSidebar } from "./CommentsSidebar";
import { reportHref } from "./links";
import { reportQuery, threadsQuery } from "./queries";
import ReportEditor from "./ReportEditor";
import { ShareDialog } from "./ShareDialog";
import { specToDoc } from "./spec";

// A caret colour per user, the same in every browser.
const COLORS = ["#e8590c", "#1c7ed6", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#c2255c", "#5c940d"];
function colorOf(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

type EditorProps = Omit<ComponentProps<typeof ReportEditor>, "collab">;

function CollaborativeEditor(props: EditorProps) {
  const name = readSignedIn()?.username ?? "someone";
  const collab = useCollab(props.report.id, { name, color: colorOf(name) });
  const [joined, setJoined] = useState(false);
  const { ydoc, provider, user } = collab;
  // One session object per report: the editor is rebuilt when it changes (a status change must not).
  const session = useMemo(() => ({ ydoc, provider, user }), [ydoc, provider, user]);
  const spec = props.report.spec;
  useEffect(() => {
    let live = true;
    void provider.whenSynced().then(() => {
      const fragment = ydoc.getXmlFragment("default");
      if (fragment.length === 0) {
        // Seeded identically by every client (seedDoc), so two first editors make one copy, not two.
        const schema = getSchema(schemaExtensions());
        seedDoc(ydoc, (seed) => prosemirrorJSONToYXmlFragment(schema, specToDoc(spec), seed.getXmlFragment("default")));
      }
      if (live) setJoined(true);
    });
    return () => {
      live = false;
    };
  }, [ydoc, provider, spec]);
  if (!joined) return <Loading what="Joining the report" />;
  return <ReportEditor {...props} collab={session} />;
}

export default function ReportEditPage() {
  const { reportId = "" } = useParams();
  // Fetched fresh: the editor starts from the current version (base_version of the next save).
  const q = useQuery({ ...reportQuery(reportId), staleTime: 0, refetchOnWindowFocus: false });
  const qc = useQueryClient();
  const [anchor, setAnchor] = useState<Anchor | null>(null);
  const [comments, setComments] = useState(false);
  const [sharing, setSharing] = useState(false);
  // The open threads' ranges are marked in the editor while the comments are shown (the sidebar
  // reads the same query).
  const threads = useQuery({ ...threadsQuery(reportId), enabled: comments });
  const open = useMemo(() => (comments ? (threads.data ?? []).filter((t) => !t.resolved) : []), [comments, threads.data]);
  if (!q.data || q.isFetching) return q.error ? <ErrorBanner error={q.error} onRetry={() => void q.refetch()} /> : <Loading what="Loading report" />;
  const r = q.data;
  if (!r.can_edit) return <Navigate to={reportHref(r)} replace />;
  return (
    <div className="page report-page">
      {sharing && <ShareDialog report={r} onClose={() => setSharing(false)} />}
      <div className="report-layout">
        <CollaborativeEditor
          key={r.id}
          report={r}
          onSaved={(saved) => qc.setQueryData(reportQuery(r.id).queryKey, saved)}
          onAnchor={setAnchor}
          comments={open}
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
        {comments && <CommentsSidebar reportId={r.id} anchor={anchor} canComment />}
      </div>
    </div>
  );
}
