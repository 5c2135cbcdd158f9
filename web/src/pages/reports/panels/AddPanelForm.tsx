import { useState } from "react";
import { newBlockId, REPORT_GRID_COLS, type Panel, type PanelType } from "../spec";

const TYPES: { type: PanelType; label: string; field?: string }[] = [
  { type: "line", label: "Line plot", field: "metric" },
  { type: "scatter", label: "Scatter plot", field: "x,y" },
  { type: "bar", label: "Bar chart", field: "key" },
  { type: "run_comparison", label: "Run comparison" },
  { type: "table", label: "Runs table" },
  { type: "markdown", label: "Markdown", field: "markdown" },
];

/** The next free box: half the grid wide, below every panel. */
export function nextBox(panels: Panel[]) {
  const bottom = Math.max(0, ...panels.map((p) => p.layout.y + p.layout.h));
  const w = REPORT_GRID_COLS / 2;
  const lastRow = panels.filter((p) => p.layout.y + p.layout.h === bottom && p.layout.x + p.layout.w <= w);
  return lastRow.length && panels.length % 2 === 1 ? { x: w, y: lastRow[0].layout.y, w, h: 8 } : { x: 0, y: bottom, w, h: 8 };
}

export function AddPanelForm({ panels, onAdd }: { panels: Panel[]; onAdd: (p: Panel) => void }) {
  const [type, setType] = useState<PanelType>("line");
  const [value, setValue] = useState("");
  const field = TYPES.find((t) => t.type === type)?.field;
  const config = (): Record<string, unknown> => {
    if (type === "line") return { metric: value.trim() };
    if (type === "bar") return { key: value.trim() };
    if (type === "markdown") return { markdown: value };
    if (type === "scatter") {
      const [x = "", y = ""] = value.split(",").map((s) => s.trim());
      return { x, y };
    }
    return {};
  };
  return (
    <form
      className="report-add-panel"
      onSubmit={(e) => {
        e.preventDefault();
        onAdd({ id: newBlockId(), type, title: type === "line" ? value.trim() : undefined, layout: nextBox(panels), config: config() });
        setValue("");
      }}
    >
      <select value={type} onChange={(e) => setType(e.target.value as PanelType)} aria-label="Panel type">
        {TYPES.map((t) => (
          <option key={t.type} value={t.type}>
            {t.label}
          </option>
        ))}
      </select>
      {field && <input value={value} onChange={(e) => setValue(e.target.value)} placeholder={field === "x,y" ? "summary.lr, summary.loss" : field === "metric" ? "train/loss" : field} aria-label="Panel field" />}
      <button className="btn btn-small" type="submit" disabled={!!field && field !== "markdown" && !value.trim()}>
        Add panel
      </button>
    </form>
  );
}
