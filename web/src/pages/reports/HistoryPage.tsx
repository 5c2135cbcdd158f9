// /:entity/:project/reports/:reportId/history: every saved version, the diff of any two (blocks
// added, removed, changed or moved; word-level text changes) and restoring one as a new version.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../../api/client";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { diffVersions, restoreVersion, type BlockDiff } from "./api";
import { reportHref } from "./links";
import { reportQuery, reportsKey, versionsQuery } from "./queries";
import { ReportHeader } from "./ReportPage";
import { plainText, type Block } from "./spec";

/** A block's text for a diff row: its inline text, code, source or type. */
export function blockSummary(b: Block | null | undefined): string {
  if (!b) return "";
  if ("text" in b) return plainText(b.text);
  if ("items" in b) return b.items.map((i) => plainText(i.text)).join(" · ");
  if (b.type === "code") return b.code;
  if (b.type === "markdown") return b.markdown;
  if (b.type === "latex") return b.latex;
  if (b.type === "image" || b.type === "video") return b.url;
  if (b.type === "panel_grid") return `${b.panels.length} panels, ${b.run_sets.length} run sets`;
  return b.type.replace(/_/g, " ");
}

function DiffRow({ d }: { d: BlockDiff }) {
  return (
    <li className={`report-diff-row diff-${d.change}`} data-change={d.change} data-block-id={d.id}>
      <span className="badge">{d.change}</span> <span className="muted small">{d.type.replace(/_/g, " ")}</span>
      <div className="report-diff-text">
        {d.text_diff?.length ? (
          d.text_diff.map((op, i) => (op.op === "insert" ? <ins key={i}>{op.text}</ins> : op.op === "delete" ? <del key={i}>{op.text}</del> : <span key={i}>{op.text}</span>))
        ) : d.change === "removed" ? (
          <del>{blockSummary(d.before)}</del>
        ) : d.change === "added" ? (
          <ins>{blockSummary(d.after)}</ins>
        ) : d.change === "changed" ? (
          <>
            <del>{blockSummary(d.before)}</del> <ins>{blockSummary(d.after)}</ins>
          </>
        ) : (
          <span>{blockSummary(d.after ?? d.before)}</span>
        )}
      </div>
    </li>
  );
}

export default function HistoryPage() {
  const { reportId = "" } = useParams();
  const report = useQuery(reportQuery(reportId));
  const versions = useQuery(versionsQuery(reportId));
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [pair, setPair] = useState<[number, number] | null>(null);
  const list = versions.data ?? [];
  const latest = list.reduce((m, v) => Math.max(m, v.version), 0);
  const [from, to] = pair ?? [Math.max(1, latest - 1), latest];
  const [hideSame, setHideSame] = useState(true);
  const diff = useQuery({ queryKey: ["reports", "diff", reportId, from, to], queryFn: () => diffVersions(reportId, from, to), enabled: latest > 0 && from !== to });
  const restore = useMutation({
    mutationFn: (n: number) => restoreVersion(reportId, n, report.data!.version),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: reportsKey });
      navigate(reportHref(r));
    },
  });
  if (!report.data) return report.error ? <ErrorBanner error={report.error} /> : <Loading what="Loading report" />;
  const r = report.data;
  const conflict = restore.error instanceof ApiError && restore.error.status === 409;
  return (
    <div className="page report-page">
      <ReportHeader report={r}>
        <Link className="btn" to={reportHref(r)}>
          Back to report
        </Link>
      </ReportHeader>
      <ErrorBanner error={versions.error ?? (conflict ? null : restore.error)} />
      {conflict && <div className="warning-banner">The report was saved meanwhile: reload the history and restore again.</div>}
      <div className="report-history">
        <table className="table" data-testid="versions">
          <thead>
            <tr>
              <th>From</th>
              <th>To</th>
              <th>Version</th>
              <th>Author</th>
              <th>Saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>
                  <input type="radio" name="from" checked={from === v.version} onChange={() => setPair([v.version, to])} aria-label={`Diff from v${v.version}`} />
                </td>
                <td>
                  <input type="radio" name="to" checked={to === v.version} onChange={() => setPair([from, v.version])} aria-label={`Diff to v${v.version}`} />
                </td>
                <td>
                  v{v.version} <span className="muted small">{v.title}</span>
                  {v.message && <div className="muted small">{v.message}</div>}
                </td>
                <td>{v.author}</td>
                <td className="muted">{new Date(v.created_at).toLocaleString()}</td>
                <td>
                  {r.can_edit && v.version !== r.version && (
                    <button className="btn btn-small" onClick={() => restore.mutate(v.version)} disabled={restore.isPending}>
                      Restore
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <section className="report-diff" data-testid="diff">
          <div className="row">
            <b>
              v{from} → v{to}
            </b>
            <label className="small">
              <input type="checkbox" checked={hideSame} onChange={(e) => setHideSame(e.target.checked)} /> Hide unchanged blocks
            </label>
          </div>
          {from === to ? (
            <Empty title="Pick two different versions" />
          ) : diff.isPending ? (
            <Loading what="Comparing" />
          ) : diff.error ? (
            <ErrorBanner error={diff.error} />
          ) : (
            <>
              {diff.data?.title && (
                <div className="report-diff-row diff-changed">
                  Title: <del>{diff.data.title.before}</del> <ins>{diff.data.title.after}</ins>
                </div>
              )}
              <ul className="report-diff-list">{diff.data?.blocks.filter((d) => !hideSame || d.change !== "same").map((d) => <DiffRow key={d.id} d={d} />)}</ul>
            </>
          )}
        </section>
      </div>
    </div>
  );
}
