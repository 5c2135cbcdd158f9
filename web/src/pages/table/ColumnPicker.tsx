import { useState } from "react";

interface Props {
  available: string[];
  visible: string[];
  pinned: Set<string>;
  onChange: (visible: string[], pinned: string[]) => void;
}

/** Chooses which config and summary fields are columns, and which columns stay pinned left. */
export function ColumnPicker({ available, visible, pinned, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const shown = available.filter((f) => f.toLowerCase().includes(q.toLowerCase()));
  const toggle = (f: string) =>
    onChange(visible.includes(f) ? visible.filter((v) => v !== f) : [...visible, f], [...pinned].filter((x) => x !== f || !visible.includes(f)));
  const pin = (f: string) => onChange(visible, pinned.has(f) ? [...pinned].filter((x) => x !== f) : [...pinned, f]);
  return (
    <div className="popover-anchor">
      <button className="btn" onClick={() => setOpen(!open)} aria-expanded={open}>
        Columns ({visible.length})
      </button>
      {open && (
        <div className="popover column-picker" role="dialog" aria-label="Columns">
          <input className="search" autoFocus placeholder="Find a field" value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="picker-list">
            {shown.map((f) => (
              <div key={f} className="picker-item">
                <label>
                  <input type="checkbox" checked={visible.includes(f)} onChange={() => toggle(f)} /> {f}
                </label>
                {visible.includes(f) && (
                  <button className={`pin${pinned.has(f) ? " on" : ""}`} title="Pin to the left" onClick={() => pin(f)}>
                    📌
                  </button>
                )}
              </div>
            ))}
          </div>
          <button className="btn btn-small" onClick={() => setOpen(false)}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
