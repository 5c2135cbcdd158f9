// A report's panel grid: its run sets' runs, drawn by the workspace's panel components on a
// 24-column react-grid-layout. Editable (in the editor), panels move by their title and resize by
// their corner, and the run sets and panels are edited in place; read-only, the grid is fixed.
// It tells `onDrawn` once its data has settled and every panel body has drawn (drawn.ts: its chart,
// table, media or empty note, nothing still loading): the report view waits on that for its ready
// flag (PDF export prints after it).
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
import { bodyDrawn, loadImagesNow, MEDIA_EVENTS } from "./drawn";
import { sideBySideOf } from "./panelConfig";
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

const NO_KEYS: ReadonlySet<string> = new Set();

/** The metrics a grid's panels draw over steps: line panels' and side-by-side panels'. */
const stepKeys = (panels: Panel[]): string[] => [
  ...new Set(panels.flatMap((p) => (p.type === "line" ? [metricOf(p)] : p.type === "side_by_side" ? sideBySideOf(p.config).keys : [])).filter(Boolean)),
];

export function PanelGrid({ grid, editable = false, frozen = false, onChange, onDrawn }: Props) {
  const sets = useRunSets(grid.run_sets, frozen);
  // Frozen, a running run is shown as it is now: the workspace's hooks poll only "running" runs,
  // so it is handed to them as paused.
  const runs = useMemo<Run[]>(() => (frozen ? sets.runs.map((r) => (r.state === "running" ? { ...r, state: "paused" as const } : r)) : sets.runs), [frozen, sets.runs]);
  const colors = useMemo(() => assignColors(runs.map((r) => r.id), {}), [runs]);
  const lineKeys = useMemo(() => stepKeys(grid.panels), [grid.panels]);
  const metrics = useMetricData(runs, lineKeys, "step");
  const groupBy = grid.run_sets[0]?.grouping?.[0] ?? "";
  const runIds = useMemo(() => runs.map((r) => r.id), [runs]);
  const grouped = useGroupBands(sets.projectId ?? "", runIds, groupBy ? lineKeys : [], "step", groupBy);
  // The step keys whose series have not arrived for every run (a metrics answer holds every key it
  // was asked for, empty or not): their panels say Loading rather than "No data", and the grid has
  // not drawn. Read from the data the panels are handed, not from what is fetching: answers are
  // applied a little after they arrive, and queries start a little after the runs are known.
  const pendingKeys = useMemo<ReadonlySet<string>>(
    () => (metrics.error ? NO_KEYS : new Set(lineKeys.filter((k) => runs.some((r) => metrics.data[r.id]?.[k] === undefined)))),
    [lineKeys, runs, metrics.data, metrics.error],
  );
  const fetching = useIsFetching({ predicate: (q) => q.queryKey[0] === "runs" || q.queryKey[0] === "projects" });
  const settled = !sets.pending && fetching === 0 && pendingKeys.size === 0 && !(groupBy && grouped.pending);

  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (drawn || !settled || !box.current) return;
    const root = box.current;
    const check = () => {
      loadImagesNow(root);
      const bodies = [...root.querySelectorAll(".report-panel-body")];
      if (bodies.every(bodyDrawn)) {
        setDrawn(true);
        return true;
      }
      return false;
    };
    // Charts mark their first frame with data-drawn; images and videos change no DOM when they
    // load, so their events (which do not bubble) are caught on the way down. Looked at once a
    // frame at most: 50 charts being built make thousands of mutations.
    let frame = 0;
    const later = () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        if (check()) stop();
      });
    };
    const seen = new MutationObserver(later);
    const stop = () => {
      cancelAnimationFrame(frame);
      seen.disconnect();
      for (const e of MEDIA_EVENTS) root.removeEventListener(e, later, true);
    };
    seen.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-drawn"] });
    for (const e of MEDIA_EVENTS) root.addEventListener(e, later, true);
    later();
    return stop;
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
  // Until the grid first drew, a panel waits for all its runs' series (so it is built once); after
  // that, a run that appears (a live report) joins the drawn charts as its series arrive.
  const data = { runs, colors, series: metrics.data, pendingKeys: drawn ? NO_KEYS : pendingKeys, groups: groupBy ? grouped.groups : null, projectId: sets.projectId };

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
