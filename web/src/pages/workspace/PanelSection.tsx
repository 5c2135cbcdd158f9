import ReactGridLayout, { useContainerWidth, type Layout } from "react-grid-layout";
import "react-grid-layout/css/styles.css";
import "react-resizable/css/styles.css";
import type { PanelBox } from "../../shaping/view";
import { defaultBox, GRID_COLS, panelsPerRow } from "./sections";

export interface PanelDef {
  id: string;
  title: string;
  body: React.ReactNode;
  removable?: boolean;
}

interface Props {
  title: string;
  panels: PanelDef[];
  layout: Record<string, PanelBox>;
  collapsed: boolean;
  onToggle: () => void;
  onLayout: (boxes: Record<string, PanelBox>) => void;
  onFullscreen: (id: string) => void;
  onRemove?: (id: string) => void;
  /** A section not yet scrolled to: an empty box of about this height instead of its panels, so a
   * page of many sections lays out only the ones seen. */
  placeholderHeight?: number;
}

/**
 * A collapsible group of panels (one key prefix) laid out on a drag-and-resize grid as wide as the
 * page: panels the user has not moved share each row evenly (fewer, wider ones on a narrow window).
 */
export function PanelSection({ title, panels, layout, collapsed, onToggle, onLayout, onFullscreen, onRemove, placeholderHeight }: Props) {
  const { width, containerRef, mounted } = useContainerWidth();
  const perRow = panelsPerRow(width, panels.length);
  const keep = (l: Layout) => onLayout(Object.fromEntries(l.map((b) => [b.i, { x: b.x, y: b.y, w: b.w, h: b.h }])));
  const items = panels.map((p, i) => ({ i: p.id, ...(layout[p.id] ?? defaultBox(i, perRow)), minW: 2, minH: 5 }));
  return (
    <section className="ws-section" data-section={title} data-per-row={perRow}>
      <button className="ws-section-head" onClick={onToggle} aria-expanded={!collapsed}>
        <span className={`caret${collapsed ? "" : " open"}`}>▸</span>
        {title} <span className="muted small">{panels.length}</span>
      </button>
      {!collapsed && placeholderHeight !== undefined && <div className="ws-section-placeholder" style={{ height: placeholderHeight }} />}
      {!collapsed && placeholderHeight === undefined && (
        <div ref={containerRef}>
          {mounted && (
            <ReactGridLayout
              width={width}
              layout={items}
              gridConfig={{ cols: GRID_COLS, rowHeight: 30, margin: [10, 10] }}
              dragConfig={{ enabled: true, handle: ".panel-title" }}
              resizeConfig={{ enabled: true }}
              // Only what the user did is kept: default boxes stay free to follow the window's width.
              onDragStop={keep}
              onResizeStop={keep}
            >
              {panels.map((p) => (
                <div key={p.id} className="panel" data-panel={p.id}>
                  <div className="panel-head">
                    <span className="panel-title" title={`${p.title} (drag to move)`}>
                      {p.title}
                    </span>
                    <button className="icon-btn" title="Full screen" aria-label={`Full screen ${p.title}`} onClick={() => onFullscreen(p.id)}>
                      ⤢
                    </button>
                    {p.removable && onRemove && (
                      <button className="icon-btn" title="Remove panel" onClick={() => onRemove(p.id)}>
                        ✕
                      </button>
                    )}
                  </div>
                  <div className="panel-body">{p.body}</div>
                </div>
              ))}
            </ReactGridLayout>
          )}
        </div>
      )}
    </section>
  );
}
