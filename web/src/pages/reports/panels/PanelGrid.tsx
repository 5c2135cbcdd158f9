// A report's panel grid: its run sets' runs, drawn by the workspace's panel components on a
// 24-column react-grid-layout. Editable (in the editor), panels move by their title and resize by
// their corner, and the run sets and panels are edited in place; read-only, the grid is fixed.
// It tells `onDrawn` once its data has settled and every panel body holds its chart, table or
// note: the report view waits on that for its ready flag (PDF export prints after it).
import { useEffect, useMemo, useRef, useState } from "react";
import { useIsFetching } from "@tanstack/react-query";
import ReactGridLayout, { useContainerWidth, type Layout } from "react-grid-layout";
import "react-grid-layout/css/styles.css";
import "react-resizable/css/styles.css";
import type { Run } from "../../../api/types";
import { ErrorBanner } from "../../../components/status";
import { assignColors } from "../../../shaping/colors";
import { useGroupBands } from "../../workspace/useGroupBands";
import { useMetricData } from "../../workspace/useMetricData";
import { REPORT_GRID_COLS, type Panel, type PanelGridBlock } from "../spec";
import { AddPanelForm } from "./AddPanelForm";
import { metricOf, ReportPanel } from "./ReportPanel";
import { RunSetEditor } from "./RunSetEditor";
import { useRunSets } from "./useRunSets";

export type Grid = Pick<PanelGridBlock, "run_sets" | "panels">;

interface Props {
  grid: Grid;
  editable?: boolean;
  /** A frozen report shows its runs as they were read: nothing is polled. */
  frozen?: boolean;
  onChange?: (grid: Grid) => void;
  onDrawn?: () => void;
}

/** A panel's body has drawn when it holds a chart, a table, a value or its empty/notice text. */
const DRAWN = "canvas, svg, table, .value-panel, .panel-empty, .markdown, .u-wrap";

export function PanelGrid({ grid, editable = false, frozen = false, onChange, onDrawn }: Props) {
  const sets = useRunSets(grid.run_sets, frozen);
  // Frozen, a running run is shown as it is now: the workspace's hooks poll only "running" runs,
  // so it is handed to them as paused.
  const runs = useMemo<Run[]>(() => (frozen ? sets.runs.map((r) => (r.state === "running" ? { ...r, state: "paused" as const } : r)) : sets.runs), [frozen, sets.runs]);
  const colors = useMemo(() => assignColors(runs.map((r) => r.id), {}), [runs]);
  const lineKeys = useMemo(() => [...new Set(grid.panels.filter((p) => p.type === "line").map(metricOf).filter(Boolean))], [grid.panels]);
  const metrics = useMetricData(runs, lineKeys, "step");
  const groupBy = grid.run_sets[0]?.grouping?.[0] ?? "";
  const runIds = useMemo(() => runs.map((r) => r.id), [runs]);
  const grouped = useGroupBands(sets.projectId ?? "", runIds, groupBy ? lineKeys : [], "step", groupBy);
  const fetching = useIsFetching({ predicate: (q) => q.queryKey[0] === "runs" || q.queryKey[0] === "projects" });
  const settled = !sets.pending && fetching === 0;

  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (drawn || !settled || !box.current) return;
    const root = box.current;
    const check = () => {
      const bodies = [...root.querySelectorAll(".report-panel-body")];
      if (bodies.every((b) => b.querySelector(DRAWN))) {
        setDrawn(true);
        return true;
      }
      return false;
    };
    // The workspace applies metric answers at most every 150 ms (useMetricData): look after that.
    const seen = new MutationObserver(() => check() && seen.disconnect());
    const wait = setTimeout(() => {
      if (!check()) seen.observe(root, { childList: true, subtree: true });
    }, 200);
    return () => {
      clearTimeout(wait);
      seen.disconnect();
    };
  }, [drawn, settled]);
  useEffect(() => {
    if (drawn) onDrawn?.();
  }, [drawn, onDrawn]);

  const { width, containerRef, mounted } = useContainerWidth();
  const layout = grid.panels.map((p) => ({ i: p.id, ...p.layout, minW: 2, minH: 3 }));
  const keep = (l: Layout) => {
    const byId = new Map(l.map((b) => [b.i, b]));
    onChange?.({
      ...grid,
      panels: grid.panels.map((p) => {
        const b = byId.get(p.id);
        return b ? { ...p, layout: { x: b.x, y: b.y, w: b.w, h: b.h } } : p;
      }),
    });
  };
  const remove = (id: string) => onChange?.({ ...grid, panels: grid.panels.filter((p) => p.id !== id) });
  const add = (p: Panel) => onChange?.({ ...grid, panels: [...grid.panels, p] });
  const data = { runs, colors, series: metrics.data, groups: groupBy ? grouped.groups : null };

  return (
    <div className="report-grid" ref={box} data-drawn={drawn ? "true" : "false"} data-live={sets.live ? "true" : undefined}>
      <div className="report-grid-head">
        {grid.run_sets.map((rs) => (
          <span key={rs.id} className="report-runset-chip" title={rs.project}>
            {rs.name || rs.project} <span className="muted small">{sets.bySet[rs.id]?.length ?? 0} runs</span>
          </span>
        ))}
        {sets.live && <span className="live-dot" title="Live: runs are still running">Live</span>}
        {frozen && <span className="badge" title="Frozen: the panels show the runs as they were read">Frozen</span>}
      </div>
      {editable && onChange && (
        <details className="report-grid-edit">
          <summary>Run sets and panels</summary>
          <RunSetEditor runSets={grid.run_sets} onChange={(run_sets) => onChange({ ...grid, run_sets })} />
          <AddPanelForm panels={grid.panels} onAdd={add} />
        </details>
      )}
      <ErrorBanner error={sets.error ?? metrics.error ?? (groupBy ? grouped.error : null)} />
      <div ref={containerRef}>
        {mounted && (
          <ReactGridLayout
            width={width}
            layout={layout}
            gridConfig={{ cols: REPORT_GRID_COLS, rowHeight: 30, margin: [10, 10] }}
            dragConfig={{ enabled: editable, handle: ".panel-title" }}
            resizeConfig={{ enabled: editable }}
            onDragStop={keep}
            onResizeStop={keep}
          >
            {grid.panels.map((p) => (
              <div key={p.id} className="panel" data-panel={p.id} data-panel-type={p.type}>
                <div className="panel-head">
                  <span className="panel-title" title={editable ? `${p.title ?? p.type} (drag to move)` : undefined}>
                    {p.title || metricOf(p) || p.type}
                  </span>
                  {editable && onChange && (
                    <button className="icon-btn" title="Remove panel" aria-label={`Remove panel ${p.title ?? p.id}`} onClick={() => remove(p.id)}>
                      ✕
                    </button>
                  )}
                </div>
                <div className="panel-body report-panel-body">
                  <ReportPanel panel={p} data={data} />
                </div>
              </div>
            ))}
          </ReactGridLayout>
        )}
      </div>
    </div>
  );
}
