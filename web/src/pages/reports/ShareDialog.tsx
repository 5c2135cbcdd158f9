// Who may read a report: its visibility (the project's rules, or private/team/org/public), and
// share links, view-only or edit, each with an expiry and revocable at once. A link's token is
// shown once, when it is made: only its hash is kept.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorBanner } from "../../components/status";
import { createShareLink, revokeShareLink, setVisibility, type LinkAccess, type Report, type ShareLink, type Visibility } from "./api";
import { sharedReportHref } from "./links";
import { reportQuery, shareLinksQuery } from "./queries";

const EXPIRY: [string, number][] = [
  ["1 hour", 3600],
  ["1 day", 86_400],
  ["7 days", 7 * 86_400],
  ["30 days", 30 * 86_400],
  ["1 year", 31_536_000],
];

export function ShareDialog({ report, onClose }: { report: Report; onClose: () => void }) {
  const qc = useQueryClient();
  const links = useQuery(shareLinksQuery(report.id));
  const [access, setAccess] = useState<LinkAccess>("view");
  const [expires, setExpires] = useState(7 * 86_400);
  const [made, setMade] = useState<ShareLink | null>(null);
  const [copied, setCopied] = useState(false);
  const refreshLinks = () => qc.invalidateQueries({ queryKey: shareLinksQuery(report.id).queryKey });
  const visibility = useMutation({ mutationFn: (v: Visibility | null) => setVisibility(report.id, v), onSuccess: (r) => qc.setQueryData(reportQuery(report.id).queryKey, r) });
  const create = useMutation({ mutationFn: () => createShareLink(report.id, access, expires), onSuccess: (l) => (setMade(l), setCopied(false), void refreshLinks()) });
  const revoke = useMutation({ mutationFn: (id: string) => revokeShareLink(report.id, id), onSuccess: () => void refreshLinks() });
  const madeUrl = made?.token ? `${window.location.origin}${sharedReportHref(made.token)}` : null;
  return (
    <div className="report-dialog" role="dialog" aria-label="Share report">
      <div className="report-dialog-head">
        <b>Share “{report.title}”</b>
        <button className="icon-btn" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      <label>
        Visibility{" "}
        <select value={report.visibility ?? ""} onChange={(e) => visibility.mutate((e.target.value || null) as Visibility | null)} disabled={!report.can_edit || visibility.isPending} aria-label="Visibility">
          <option value="">As the project</option>
          <option value="private">Private (owner and grants)</option>
          <option value="team">Team</option>
          <option value="org">Organisation</option>
          <option value="public">Public</option>
        </select>
      </label>
      {report.state === "draft" && <p className="muted small">A draft is visible to its owner only until it is published.</p>}
      <h3>Links</h3>
      <div className="row">
        <select value={access} onChange={(e) => setAccess(e.target.value as LinkAccess)} aria-label="Link access">
          <option value="view">Can view (no account needed)</option>
          <option value="edit">Can edit (signed-in users)</option>
        </select>
        <select value={expires} onChange={(e) => setExpires(Number(e.target.value))} aria-label="Link expiry">
          {EXPIRY.map(([label, s]) => (
            <option key={s} value={s}>
              expires in {label}
            </option>
          ))}
        </select>
        <button className="btn btn-small" onClick={() => create.mutate()} disabled={create.isPending || !report.can_edit}>
          Create link
        </button>
      </div>
      {madeUrl && (
        <div className="report-new-link" data-testid="new-share-link">
          <input readOnly value={madeUrl} aria-label="New link" onFocus={(e) => e.target.select()} />
          <button className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(madeUrl).then(() => setCopied(true))}>
            {copied ? "Copied" : "Copy"}
          </button>
          <div className="muted small">Copy it now: it is not shown again.</div>
        </div>
      )}
      <ErrorBanner error={visibility.error ?? create.error ?? revoke.error ?? links.error} />
      <ul className="report-links">
        {(links.data ?? []).map((l) => (
          <li key={l.id} data-link={l.id}>
            <span className="badge">{l.access}</span> <span className="muted small">expires {new Date(l.expires_at).toLocaleString()}</span>
            <button className="btn btn-small" onClick={() => revoke.mutate(l.id)} disabled={revoke.isPending}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
