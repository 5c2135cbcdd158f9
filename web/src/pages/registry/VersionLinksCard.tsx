import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { addEvaluation, type RegisteredRef, type VersionLinks } from "../../api/registry";
import { ErrorBanner, Loading } from "../../components/status";
import { registryKey, versionLinksQuery } from "../../queries/registry";
import { safeHref } from "../../shaping/markdown";
import { shortTime } from "../artifacts/links";
import { artifactByIdHref, projectObjectHref, runByIdHref } from "./links";

/** The version's four links: the run that trained it, the datasets that run used, its evaluations and deployments. */
export function VersionLinksCard({ vref, canAdd }: { vref: RegisteredRef; canAdd: boolean }) {
  const links = useQuery(versionLinksQuery(vref));
  return (
    <section className="card reg-card" data-testid="version-links">
      <h2>Links</h2>
      {!links.data ? (
        links.error ? <ErrorBanner error={links.error} onRetry={() => void links.refetch()} /> : <Loading what="Loading links" />
      ) : (
        <LinkList l={links.data} />
      )}
      {canAdd && <AddEvaluation vref={vref} />}
    </section>
  );
}

function LinkList({ l }: { l: VersionLinks }) {
  const datasets = l.datasets ?? [];
  const evaluations = l.evaluations ?? [];
  const deployments = l.deployments ?? [];
  const none = <span className="muted">none</span>;
  return (
    <dl className="kv reg-links">
      <dt>Training run</dt>
      <dd data-link="training-run">
        {l.training_run ? (
          l.training_run_project ? (
            <Link to={runByIdHref(l.training_run_project, l.training_run)} className="mono">
              {l.training_run}
            </Link>
          ) : (
            <span className="mono">{l.training_run}</span>
          )
        ) : (
          none
        )}
      </dd>
      <dt>Datasets</dt>
      <dd data-link="datasets">
        {datasets.length
          ? datasets.map((d) => (
              <div key={d.id}>
                <Link to={artifactByIdHref(d.project_id, d.name, d.version)} className="mono">
                  {d.name}:{d.version}
                </Link>{" "}
                {d.type && <span className="badge">{d.type}</span>}
              </div>
            ))
          : none}
      </dd>
      <dt>Evaluations</dt>
      <dd data-link="evaluations">
        {evaluations.length
          ? evaluations.map((e, i) => (
              <div key={`${e.run_id}-${e.table ?? ""}-${i}`}>
                <Link to={runByIdHref(e.project_id, e.run_id)} className="mono">
                  {e.run_name || e.run_id}
                </Link>
                {e.table && (
                  <>
                    {" · "}
                    <Link to={projectObjectHref(e.project_id, `runs/${encodeURIComponent(e.run_id)}/tables/${e.table.split("/").map(encodeURIComponent).join("/")}`)} className="mono">
                      {e.table}
                    </Link>
                  </>
                )}
                {e.note && <span className="muted"> — {e.note}</span>}
                <span className="muted small">
                  {" "}
                  ({e.added_by}, {shortTime(e.added_at)})
                </span>
              </div>
            ))
          : none}
      </dd>
      <dt>Deployments</dt>
      <dd data-link="deployments">
        {deployments.length
          ? deployments.map((d, i) => {
              // A deployment's URL is whatever the API was given: followed only when it is http(s).
              const url = safeHref(d.url);
              return (
                <div key={`${d.target}-${i}`}>
                  <span className="mono">{d.target}</span>
                  {url?.external && (
                    <>
                      {" "}
                      <a href={url.href} target="_blank" rel="noopener noreferrer nofollow">
                        {d.url}
                      </a>
                    </>
                  )}
                  <span className="muted small">
                    {" "}
                    ({d.by}, {shortTime(d.time)})
                  </span>
                </div>
              );
            })
          : none}
      </dd>
    </dl>
  );
}

function AddEvaluation({ vref }: { vref: RegisteredRef }) {
  const qc = useQueryClient();
  const [runId, setRunId] = useState("");
  const [table, setTable] = useState("");
  const [note, setNote] = useState("");
  const add = useMutation({
    mutationFn: () => addEvaluation(vref, { run_id: runId.trim(), table: table.trim() || null, note: note.trim() }),
    onSuccess: () => {
      setRunId("");
      setTable("");
      setNote("");
      void qc.invalidateQueries({ queryKey: registryKey });
    },
  });
  return (
    <details className="reg-add-eval">
      <summary className="small">Add an evaluation</summary>
      <form
        className="reg-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (runId.trim()) add.mutate();
        }}
      >
        <input value={runId} onChange={(e) => setRunId(e.target.value)} placeholder="run id" aria-label="Evaluation run id" />
        <input value={table} onChange={(e) => setTable(e.target.value)} placeholder="table key (optional)" aria-label="Evaluation table" />
        <input className="grow" value={note} onChange={(e) => setNote(e.target.value)} placeholder="note" aria-label="Evaluation note" />
        <button className="btn btn-small" type="submit" disabled={add.isPending || !runId.trim()}>
          Add
        </button>
      </form>
      <ErrorBanner error={add.error} />
    </details>
  );
}
