// /shared/reports/:token: a report opened from a share link, read-only, with no account needed for
// a view link. A revoked or expired link is the server's 404, shown as such.
import { useEffect } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { setReportLink } from "../../api/client";
import { ErrorBanner, Loading } from "../../components/status";
import { reportEditHref } from "./links";
import { sharedReportQuery } from "./queries";
import { ReportView } from "./ReportView";

export default function SharedReportPage() {
  const { token = "" } = useParams();
  // Set while rendering, not in an effect: the panels' queries start in their own effects, which
  // run before this page's.
  setReportLink(token || null);
  useEffect(() => () => setReportLink(null), [token]);
  const q = useQuery(sharedReportQuery(token));
  if (!q.data) return q.error ? <ErrorBanner error={q.error} /> : <Loading what="Loading report" />;
  const r = q.data;
  return (
    <div className="page report-page report-shared">
      <div className="page-head">
        <div>
          <div className="muted small">
            {r.entity}/{r.project} · shared report
          </div>
          <h1 data-testid="report-title">{r.title || "Untitled report"}</h1>
          {r.description && <p className="muted">{r.description}</p>}
        </div>
        {/* An edit link grants a signed-in user edit rights on this report: the editor is theirs. */}
        {r.can_edit && (
          <div className="head-actions">
            <Link className="btn btn-primary" to={reportEditHref(r)}>
              Edit
            </Link>
          </div>
        )}
      </div>
      <ReportView spec={r.spec} frozen={new URLSearchParams(window.location.search).get("frozen") === "1"} />
    </div>
  );
}
