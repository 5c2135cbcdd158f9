// A project's reports (/:entity/:project/reports) with search, the draft/published filter and
// stars; /reports lists the caller's own (and starred) reports across projects. "New report"
// creates a draft with a client-made id (a double click makes one report) and opens the editor.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useProject } from "../../queries/projects";
import { createReport, setStar, type ReportState, type ReportSummary } from "./api";
import { reportEditHref, reportHref } from "./links";
import { myReportsQuery, projectReportsQuery, reportsKey } from "./queries";
import { newBlockId } from "./spec";
import "./reports.css";

function StarButton({ r }: { r: ReportSummary }) {
  const qc = useQueryClient();
  const star = useMutation({ mutationFn: () => setStar(r.id, !r.starred), onSettled: () => qc.invalidateQueries({ queryKey: reportsKey }) });
  return (
    <button className={`icon-btn report-star${r.starred ? " on" : ""}`} aria-pressed={r.starred} aria-label={r.starred ? `Unstar ${r.title}` : `Star ${r.title}`} onClick={() => star.mutate()} disabled={star.isPending}>
      {r.starred ? "★" : "☆"}
    </button>
  );
}

function ReportTable({ reports, showProject }: { reports: ReportSummary[]; showProject: boolean }) {
  return (
    <table className="table" data-testid="reports">
      <thead>
        <tr>
          <th />
          <th>Report</th>
          {showProject && <th>Project</th>}
          <th>State</th>
          <th>Owner</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        {reports.map((r) => (
          <tr key={r.id} data-report={r.id}>
            <td>
              <StarButton r={r} />
            </td>
            <td>
              <Link to={reportHref(r)}>{r.title || "Untitled report"}</Link>
              {r.description && <div className="muted small">{r.description}</div>}
            </td>
            {showProject && (
              <td className="muted">
                {r.entity}/{r.project}
              </td>
            )}
            <td>
              <span className={`badge report-state-${r.state}`}>{r.state === "draft" ? "Draft" : "Published"}</span>
            </td>
            <td>{r.owner}</td>
            <td className="muted">{new Date(r.updated_at).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** /:entity/:project/reports */
export default function ReportsListPage() {
  const { entity = "", project = "" } = useParams();
  const p = useProject(entity, project);
  const [q, setQ] = useState("");
  const [state, setState] = useState<ReportState | "">("");
  const [starred, setStarred] = useState(false);
  const list = useQuery(projectReportsQuery(p.data?.id ?? "", { q: q.trim(), state, starred }));
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => createReport(p.data!.id, { id: newBlockId(), title: "Untitled report" }),
    onSuccess: (r) => navigate(reportEditHref(r)),
  });
  return (
    <div className="page reports-page">
      <div className="page-head">
        <h1>Reports</h1>
        <div className="head-actions">
          <Link to="/reports" className="btn">
            My reports
          </Link>
          <button className="btn btn-primary" onClick={() => create.mutate()} disabled={!p.data || create.isPending}>
            New report
          </button>
        </div>
      </div>
      <div className="reports-filters">
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search reports" aria-label="Search reports" />
        <select value={state} onChange={(e) => setState(e.target.value as ReportState | "")} aria-label="State">
          <option value="">Drafts and published</option>
          <option value="draft">Drafts</option>
          <option value="published">Published</option>
        </select>
        <label>
          <input type="checkbox" checked={starred} onChange={(e) => setStarred(e.target.checked)} /> Starred only
        </label>
      </div>
      <ErrorBanner error={p.error ?? list.error ?? create.error} />
      {list.isPending ? (
        <Loading what="Loading reports" />
      ) : list.data && list.data.length === 0 ? (
        <Empty title={q || state || starred ? "No report matches" : "No reports yet"}>A report is a write-up with live panels from this project's runs.</Empty>
      ) : (
        list.data && <ReportTable reports={list.data} showProject={false} />
      )}
    </div>
  );
}

/** /reports: the caller's reports, or their starred ones, across projects. */
export function MyReportsPage() {
  const [which, setWhich] = useState<"mine" | "starred">("mine");
  const list = useQuery(myReportsQuery(which));
  return (
    <div className="page reports-page">
      <div className="page-head">
        <h1>{which === "mine" ? "My reports" : "Starred reports"}</h1>
        <div className="head-actions">
          <select value={which} onChange={(e) => setWhich(e.target.value as "mine" | "starred")} aria-label="Which reports">
            <option value="mine">Mine</option>
            <option value="starred">Starred</option>
          </select>
        </div>
      </div>
      <ErrorBanner error={list.error} />
      {list.isPending ? (
        <Loading what="Loading reports" />
      ) : list.data?.length === 0 ? (
        <Empty title="No reports here yet">Open a project and choose Reports to write one.</Empty>
      ) : (
        list.data && <ReportTable reports={list.data} showProject />
      )}
    </div>
  );
}
