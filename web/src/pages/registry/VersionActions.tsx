import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  changeRegisteredAliases,
  requestMove,
  setStage,
  type RegisteredRef,
  type RegisteredVersion,
  type RegistrySettings,
  type RequestTarget,
} from "../../api/registry";
import { ErrorBanner } from "../../components/status";
import { registryKey } from "../../queries/registry";
import { directStages, requestableStages, requestSummary } from "../../shaping/registry";

interface Props {
  v: RegisteredVersion;
  vref: RegisteredRef;
  /** The caller's permissions on the model (the registry's, with the model's grants). */
  permissions: readonly string[];
  settings: RegistrySettings;
}

/**
 * What the caller may do to the version: ask reviewers for a stage or a protected alias (writers),
 * move it at once (registry admins: any stage; writers: unprotected ones), and set free aliases.
 * Offered by the `permissions` the server sent; the server checks every request regardless.
 */
export function VersionActions({ v, vref, permissions, settings }: Props) {
  const canWrite = permissions.includes("registry:write");
  const direct = directStages(permissions, settings, v.stage);
  if (!canWrite && direct.length === 0) return null;
  return (
    <section className="card reg-card reg-actions" data-testid="version-actions">
      {canWrite && <RequestMove v={v} vref={vref} settings={settings} />}
      {direct.length > 0 && <DirectStage vref={vref} stages={direct} admin={permissions.includes("registry:admin")} />}
      {canWrite && <AliasEditor v={v} vref={vref} settings={settings} />}
    </section>
  );
}

function useRegistryChange<T, A>(fn: (a: A) => Promise<T>, done?: (t: T) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (t) => {
      done?.(t);
      // A move or a request changes badges, aliases, the timeline and the requests of the whole registry.
      void qc.invalidateQueries({ queryKey: registryKey });
    },
  });
}

function RequestMove({ v, vref, settings }: { v: RegisteredVersion; vref: RegisteredRef; settings: RegistrySettings }) {
  const stages = requestableStages(settings, v.stage);
  const [kind, setKind] = useState<"stage" | "alias">("stage");
  const [choice, setStageChoice] = useState(stages[0] ?? "");
  // After a move the current stage leaves the list: fall back to the first one offered.
  const stage = stages.includes(choice) ? choice : (stages[0] ?? "");
  const [alias, setAlias] = useState((settings.protected_aliases ?? [])[0] ?? "");
  const [comment, setComment] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const target: RequestTarget = kind === "stage" ? { kind, stage } : { kind, alias: alias.trim() };
  const ask = useRegistryChange(
    () => requestMove(vref, target, comment.trim()),
    (r) => {
      setComment("");
      setSent(requestSummary(r));
    },
  );
  const ready = kind === "stage" ? !!stage : !!alias.trim();
  return (
    <form
      className="reg-form"
      aria-label="Request a move"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) ask.mutate(undefined);
      }}
    >
      <h2>Request a move</h2>
      <p className="muted small">Reviewers are notified; the move happens when one approves.</p>
      <div className="reg-form-row">
        <select value={kind} onChange={(e) => setKind(e.target.value as "stage" | "alias")} aria-label="Request kind">
          <option value="stage">Stage</option>
          <option value="alias">Alias</option>
        </select>
        {kind === "stage" ? (
          <select value={stage} onChange={(e) => setStageChoice(e.target.value)} aria-label="Requested stage">
            {stages.map((s) => (
              <option key={s} value={s}>
                {s}
                {(settings.protected_stages ?? []).includes(s) ? " (protected)" : ""}
              </option>
            ))}
          </select>
        ) : (
          <input value={alias} onChange={(e) => setAlias(e.target.value)} list="reg-protected-aliases" placeholder="alias" aria-label="Requested alias" />
        )}
        <datalist id="reg-protected-aliases">
          {(settings.protected_aliases ?? []).map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <textarea value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Why (evaluation results, the ticket…)" aria-label="Request comment" rows={2} />
      <div className="reg-form-row">
        <button type="submit" className="btn btn-primary" disabled={ask.isPending || !ready}>
          Request
        </button>
        {sent && (
          <span className="small" role="status" data-testid="request-sent">
            Requested {sent}. <Link to="requests">See the requests</Link>
          </span>
        )}
      </div>
      <ErrorBanner error={ask.error} />
    </form>
  );
}

function DirectStage({ vref, stages, admin }: { vref: RegisteredRef; stages: string[]; admin: boolean }) {
  const [choice, setStageChoice] = useState(stages[0]);
  const stage = stages.includes(choice) ? choice : stages[0];
  const [comment, setComment] = useState("");
  const move = useRegistryChange(
    () => setStage(vref, stage, comment.trim()),
    () => setComment(""),
  );
  return (
    <form
      className="reg-form"
      aria-label="Change stage"
      onSubmit={(e) => {
        e.preventDefault();
        move.mutate(undefined);
      }}
    >
      <h2>Change stage now</h2>
      <p className="muted small">{admin ? "As a registry admin you move any stage without a request." : "Stages that need no approval."}</p>
      <div className="reg-form-row">
        <select value={stage} onChange={(e) => setStageChoice(e.target.value)} aria-label="New stage">
          {stages.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input className="grow" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Comment" aria-label="Stage change comment" />
        <button type="submit" className="btn" disabled={move.isPending}>
          Move
        </button>
      </div>
      <ErrorBanner error={move.error} />
    </form>
  );
}

function AliasEditor({ v, vref, settings }: { v: RegisteredVersion; vref: RegisteredRef; settings: RegistrySettings }) {
  const [alias, setAlias] = useState("");
  const change = useRegistryChange(
    (c: { add?: string[]; remove?: string[] }) => changeRegisteredAliases(vref, c),
    () => setAlias(""),
  );
  const aliases = (v.aliases ?? []).filter((a) => a !== "latest");
  return (
    <div className="reg-form" data-testid="alias-editor">
      <h2>Aliases</h2>
      <div className="tags-edit">
        {aliases.map((a) => (
          <span key={a} className="tag" data-alias={a}>
            {a}
            {!(settings.protected_aliases ?? []).includes(a) && (
              <button className="tag-x" aria-label={`Remove alias ${a}`} disabled={change.isPending} onClick={() => change.mutate({ remove: [a] })}>
                ×
              </button>
            )}
          </span>
        ))}
        {aliases.length === 0 && <span className="muted small">none</span>}
      </div>
      <form
        className="reg-form-row"
        onSubmit={(e) => {
          e.preventDefault();
          const a = alias.trim();
          if (a) change.mutate({ add: [a] });
        }}
      >
        <input className="tag-input" value={alias} onChange={(e) => setAlias(e.target.value)} placeholder="champion" aria-label="New alias" />
        <button className="btn btn-small" type="submit" disabled={change.isPending || !alias.trim()}>
          Add alias
        </button>
      </form>
      {(settings.protected_aliases ?? []).length > 0 && (
        <p className="muted small">Protected ({(settings.protected_aliases ?? []).join(", ")}): request them above.</p>
      )}
      <ErrorBanner error={change.error} />
    </div>
  );
}
