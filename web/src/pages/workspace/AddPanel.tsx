import { useState } from "react";
import type { CustomPanel, PanelType } from "../../shaping/view";

/** Adds a scatter, histogram or comparison panel; fields are the runs' config and summary paths. */
export function AddPanel({ fields, onAdd }: { fields: string[]; onAdd: (p: CustomPanel) => void }) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<PanelType>("scatter");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const fa = a || fields[0] || "";
  const fb = b || fields.find((f) => f.startsWith("summary.")) || fields[0] || "";
  const add = () => {
    const id = `${type}-${Date.now().toString(36)}`;
    if (type === "scatter") onAdd({ id, type, xKey: fa, yKey: fb, title: `${fb} vs ${fa}` });
    else if (type === "histogram") onAdd({ id, type, key: fa, title: `Histogram of ${fa}` });
    else onAdd({ id, type, title: "Run comparison" });
    setOpen(false);
  };
  return (
    <div className="popover-anchor">
      <button className="btn" onClick={() => setOpen(!open)}>
        + Panel
      </button>
      {open && (
        <div className="popover add-panel" role="dialog" aria-label="Add panel">
          <label>
            Type
            <select value={type} onChange={(e) => setType(e.target.value as PanelType)}>
              <option value="scatter">Scatter (across runs)</option>
              <option value="histogram">Histogram (across runs)</option>
              <option value="compare">Run comparison table</option>
            </select>
          </label>
          {type !== "compare" && (
            <label>
              {type === "scatter" ? "X" : "Field"}
              <select value={fa} onChange={(e) => setA(e.target.value)}>
                {fields.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </label>
          )}
          {type === "scatter" && (
            <label>
              Y
              <select value={fb} onChange={(e) => setB(e.target.value)}>
                {fields.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </label>
          )}
          <div className="row-end">
            <button className="btn btn-ghost" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button className="btn btn-primary" onClick={add}>
              Add
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
