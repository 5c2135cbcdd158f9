import { useState } from "react";
import type { View } from "../../shaping/view";

interface Props {
  view: View;
  saved: View[];
  onSave: (name: string) => void;
  onOpen: (v: View) => void;
  onDelete: (name: string) => void;
  shareUrl: () => string;
}

/** Save the workspace under a name, switch between saved views, copy a link that restores this one. */
export function ViewBar({ view, saved, onSave, onOpen, onDelete, shareUrl }: Props) {
  const [name, setName] = useState(view.name);
  const [copied, setCopied] = useState(false);
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
        value={saved.some((v) => v.name === view.name) ? view.name : ""}
        onChange={(e) => {
          const v = saved.find((s) => s.name === e.target.value);
          if (v) {
            setName(v.name);
            onOpen(v);
          }
        }}
      >
        <option value="">{saved.length ? "Saved views…" : "No saved views"}</option>
        {saved.map((v) => (
          <option key={v.name} value={v.name}>
            {v.name}
          </option>
        ))}
      </select>
      <input aria-label="View name" value={name} onChange={(e) => setName(e.target.value)} className="view-name" />
      <button className="btn" onClick={() => onSave(name.trim() || "Workspace")}>
        Save view
      </button>
      {saved.some((v) => v.name === view.name) && (
        <button className="btn btn-ghost" onClick={() => onDelete(view.name)} title="Delete this saved view">
          Delete
        </button>
      )}
      <button className="btn" onClick={share}>
        {copied ? "Link copied" : "Share link"}
      </button>
    </div>
  );
}
