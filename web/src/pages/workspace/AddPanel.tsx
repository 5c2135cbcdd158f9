import { useState } from "react";
import type { ChartSpec } from "../../shaping/chartSpec";
import type { CustomPanel, PanelType } from "../../shaping/view";
import type { TableChoice } from "./charts/ChartEditor";

type Choice = PanelType | "runs-parallel";

/**
 * Adds a panel: scatter, histogram or comparison across runs (fields are the runs' config and
 * summary paths), a custom chart over a logged table or the runs table (its settings open in the
 * panel), or parallel coordinates over runs whose brushing filters the workspace.
 */
export function AddPanel({ fields, tables, onAdd }: { fields: string[]; tables: TableChoice[]; onAdd: (p: CustomPanel) => void }) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<Choice>("scatter");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const fa = a || fields[0] || "";
  const fb = b || fields.find((f) => f.startsWith("summary.")) || fields[0] || "";
  const add = () => {
    const id = `${type}-${Date.now().toString(36)}`;
    if (type === "scatter") onAdd({ id, type, xKey: fa, yKey: fb, title: `${fb} vs ${fa}` });
    else if (type === "histogram") onAdd({ id, type, key: fa, title: `Histogram of ${fa}` });
    else if (type === "chart") {
      const t = tables[0];
      const chart: ChartSpec = { type: "scatter", source: t ? { kind: "table", run: t.run, key: t.key } : { kind: "runs" }, fields: {} };
      onAdd({ id, type: "chart", title: "Custom chart", chart });
    } else if (type === "runs-parallel") {
      const visible = fields.filter((f) => !f.split(".").some((p) => p.startsWith("_")));
      const dims = [...visible.filter((f) => f.startsWith("config.")).slice(0, 3), ...visible.filter((f) => f.startsWith("summary.")).slice(0, 2)];
      const color = visible.find((f) => f.startsWith("summary."));
      const chart: ChartSpec = { type: "parallel", source: { kind: "runs" }, fields: color ? { color } : {}, dims, brush: true };
      onAdd({ id: `chart-${id}`, type: "chart", title: "Runs: parallel coordinates", chart });
    } else onAdd({ id, type, title: "Run comparison" });
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
            <select value={type} onChange={(e) => setType(e.target.value as Choice)} aria-label="Panel type">
              <option value="scatter">Scatter (across runs)</option>
              <option value="histogram">Histogram (across runs)</option>
              <option value="compare">Run comparison table</option>
              <option value="chart">Custom chart</option>
              <option value="runs-parallel">Parallel coordinates (runs, brushable)</option>
            </select>
          </label>
          {(type === "scatter" || type === "histogram") && (
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
