import { useState } from "react";
import type { SavedView } from "../../api/views";
import { ErrorBanner } from "../../components/status";
import type { View } from "../../shaping/view";

interface Props {
  view: View;
  saved: SavedView[];
  /** Whether the user may save and delete views here (project:write); readers can still open and share them. */
  canWrite: boolean;
  /** Resolves once the server stored it; rejects with the server's error (a 409 when a teammate saved since). */
  onSave: (name: string) => Promise<void>;
  onOpen: (v: SavedView) => void;
  onDelete: (name: string) => Promise<void>;
  shareUrl: () => string;
}

/** Save the workspace under a name for the whole project, switch between saved views, copy a link that restores this one. */
export function ViewBar({ view, saved, canWrite, onSave, onOpen, onDelete, shareUrl }: Props) {
  const [name, setName] = useState(view.name);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // Another view opened (or saved under a new name): the name field shows its name.
  const [nameOf, setNameOf] = useState(view.name);
  if (nameOf !== view.name) {
    setNameOf(view.name);
    setName(view.name);
  }
  const current = saved.find((v) => v.view.name === view.name);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const share = async () => {
    const url = shareUrl();
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      window.prompt("Copy this link", url);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="view-bar">
      <select
        aria-label="Saved views"
        value={current ? view.name : ""}
        onChange={(e) => {
          const v = saved.find((s) => s.view.name === e.target.value);
          if (v) onOpen(v);
        }}
      >
        <option value="">{saved.length ? "Saved views…" : "No saved views"}</option>
        {saved.map((v) => (
          <option key={v.view.name} value={v.view.name} title={`revision ${v.revision}, saved by ${v.updatedBy}`}>
            {v.view.name}
          </option>
        ))}
      </select>
      {canWrite && (
        <>
          <input aria-label="View name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} className="view-name" />
          <button className="btn" disabled={busy} onClick={() => act(() => onSave(name.trim() || "Workspace"))}>
            Save view
          </button>
        </>
      )}
      {canWrite && current && (
        <button className="btn btn-ghost" disabled={busy} onClick={() => act(() => onDelete(view.name))} title="Delete this saved view for everyone">
          Delete
        </button>
      )}
      <button className="btn" onClick={share}>
        {copied ? "Link copied" : "Share link"}
      </button>
      {error !== undefined && <ErrorBanner error={error} />}
    </div>
  );
}
