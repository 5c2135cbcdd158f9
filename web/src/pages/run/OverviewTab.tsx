import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { updateRun } from "../../api/runs";
import type { Run } from "../../api/types";
import { ErrorBanner } from "../../components/status";
import { runFilesQuery, runKey } from "../../queries/runs";
import { flatten, formatValue } from "../../shaping/fields";
import { ConfigTree } from "./ConfigTree";

// The metadata the SDK records (wanllmdb/environment.py); unknown extra keys are left out.
const META_FIELDS: [string, string][] = [
  ["host", "Host"],
  ["user", "User"],
  ["os", "OS"],
  ["python", "Python"],
  ["program", "Program"],
  ["argv", "Command"],
  ["executable", "Executable"],
  ["cwd", "Directory"],
  ["cpu_count", "CPUs"],
  ["gpu_count", "GPUs"],
  ["gpu_names", "GPU"],
  ["cuda_version", "CUDA"],
  ["gpu_driver", "GPU driver"],
];

export function OverviewTab({ run, canEdit }: { run: Run; canEdit: boolean }) {
  const meta = (run.metadata ?? {}) as Record<string, unknown>;
  const git = (meta.git ?? {}) as Record<string, unknown>;
  // The same query as the Files tab: one request serves both.
  const files = useQuery(runFilesQuery(run));
  const diff = files.data?.items.find((f) => /(^|\/)diff\.patch$/.test(f.path) || f.path.endsWith(".patch"));
  const summary = flatten(run.summary ?? {});
  const duration = run.finished_at ? (Date.parse(run.finished_at) - Date.parse(run.created_at)) / 1000 : null;
  return (
    <div className="run-overview">
      <div className="cards">
        <section className="card">
          <h2>Run</h2>
          <dl className="kv">
            <dt>State</dt>
            <dd>{run.state}</dd>
            <dt>Created</dt>
            <dd>{new Date(run.created_at).toLocaleString()}</dd>
            {duration !== null && (
              <>
                <dt>Duration</dt>
                <dd>{duration.toFixed(0)} s</dd>
              </>
            )}
            {run.group && (
              <>
                <dt>Group</dt>
                <dd>{run.group}</dd>
              </>
            )}
            {run.job_type && (
              <>
                <dt>Job type</dt>
                <dd>{run.job_type}</dd>
              </>
            )}
            {run.exit_code !== null && run.exit_code !== undefined && (
              <>
                <dt>Exit code</dt>
                <dd>{run.exit_code}</dd>
              </>
            )}
            {META_FIELDS.filter(([k]) => meta[k] !== undefined && meta[k] !== null).map(([k, label]) => (
              <Meta key={k} label={label} value={Array.isArray(meta[k]) ? (meta[k] as unknown[]).join(" ") : meta[k]} />
            ))}
          </dl>
        </section>
        <section className="card">
          <h2>Git</h2>
          {git.commit || git.remote ? (
            <dl className="kv" data-testid="git">
              {git.commit !== undefined && <Meta label="Commit" value={String(git.commit)} />}
              {git.branch !== undefined && <Meta label="Branch" value={git.branch} />}
              {git.remote !== undefined && <Meta label="Remote" value={git.remote} />}
              {git.dirty !== undefined && <Meta label="Dirty" value={git.dirty ? "yes" : "no"} />}
              {diff && (
                <>
                  <dt>Diff</dt>
                  <dd>
                    <a href={diff.url} download>
                      {diff.path}
                    </a>
                  </dd>
                </>
              )}
            </dl>
          ) : (
            <div className="muted small">No git information was recorded.</div>
          )}
        </section>
        <TagsNotes run={run} canEdit={canEdit} />
      </div>
      <div className="cards">
        <section className="card grow">
          <h2>Config</h2>
          <ConfigTree value={(run.config ?? {}) as Record<string, unknown>} />
        </section>
        <section className="card grow">
          <h2>Summary</h2>
          {Object.keys(summary).length === 0 ? (
            <div className="muted small">No summary yet.</div>
          ) : (
            <table className="table compact" data-testid="summary-table">
              <tbody>
                {Object.entries(summary).map(([k, v]) => (
                  <tr key={k}>
                    <td className="mono">{k}</td>
                    <td className="mono num">{formatValue(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

function Meta({ label, value }: { label: string; value: unknown }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="mono small">{formatValue(value)}</dd>
    </>
  );
}

/** Editable for those who may write runs here; read-only for everyone else. */
function TagsNotes({ run, canEdit }: { run: Run; canEdit: boolean }) {
  const [notes, setNotes] = useState(run.notes ?? "");
  const [tag, setTag] = useState("");
  const client = useQueryClient();
  const update = useMutation({
    mutationFn: (body: { notes?: string; tags?: string[] }) => updateRun(run, body),
    // The answer is the run as stored: the page shows it without asking again.
    onSuccess: (stored) => client.setQueryData(runKey(run), stored),
  });
  const save = (body: { notes?: string; tags?: string[] }) => update.mutate(body);
  const saving = update.isPending;
  const tags = run.tags ?? [];
  return (
    <section className="card">
      <h2>Tags and notes</h2>
      <ErrorBanner error={update.error} />
      <div className="tags-edit">
        {tags.map((t) => (
          <span key={t} className="tag">
            {t}
            {canEdit && (
              <button className="tag-x" aria-label={`Remove tag ${t}`} onClick={() => save({ tags: tags.filter((x) => x !== t) })}>
                ×
              </button>
            )}
          </span>
        ))}
        {canEdit && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (tag.trim() && !tags.includes(tag.trim())) save({ tags: [...tags, tag.trim()] });
              setTag("");
            }}
          >
            <input className="tag-input" placeholder="Add tag" value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Add tag" />
          </form>
        )}
      </div>
      {canEdit ? (
        <>
          <textarea className="notes" placeholder="Notes about this run" value={notes} onChange={(e) => setNotes(e.target.value)} aria-label="Notes" />
          <button className="btn btn-small" disabled={saving || notes === (run.notes ?? "")} onClick={() => save({ notes })}>
            {saving ? "Saving…" : "Save notes"}
          </button>
        </>
      ) : (
        <p className="notes-readonly" aria-label="Notes">{run.notes || <span className="muted">No notes</span>}</p>
      )}
    </section>
  );
}
