import { useMemo, useRef, useState } from "react";
import { useQueries } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { LATEST_STEP, type TablePage } from "../../api/tables";
import { ErrorBanner } from "../../components/status";
import { pageQuery, type TableSource, type TableState } from "./tableSource";
import { TableCell } from "./TableCell";

/** Rows per request: what a screen or two shows. */
export const PAGE = 100;
/** Rows one scroll range spans; a 1M-row table is walked by ranges (an element cannot be 1M rows tall). */
export const WINDOW = 10_000;

interface Props {
  source: TableSource;
  state: TableState;
  onSort: (column: string) => void;
  height: number;
}

const widthOf = (kind: string) => (kind.startsWith("media:") ? 96 : kind === "str" || kind === "list" || kind === "struct" ? 180 : 120);

/** One table's rows, virtualized: only the pages of the visible rows are asked for, 100 rows each. */
export function TableGrid({ source, state, onSort, height }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [start, setStart] = useState(0);
  // The first page says how many rows match and what the columns are.
  const [first] = useQueries({ queries: [pageQuery(source, state, start, PAGE)] });
  const page0 = first.data;
  const total = page0?.matched_rows ?? 0;
  const count = Math.max(0, Math.min(WINDOW, total - start));
  const hasImages = !!page0?.columns.some((c) => c.kind === "media:image-file");
  const rowH = hasImages ? 60 : 28;
  const virt = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => rowH, overscan: 10 });
  const items = virt.getVirtualItems();
  const pages = useMemo(() => {
    const set = new Set<number>();
    for (const it of items) set.add(Math.floor(it.index / PAGE));
    return [...set].sort((a, b) => a - b);
  }, [items]);
  const pageQs = useQueries({ queries: pages.map((p) => pageQuery(source, state, start + p * PAGE, PAGE)) });
  const byPage = new Map<number, TablePage>();
  pages.forEach((p, i) => {
    const d = pageQs[i].data;
    if (d) byPage.set(p, d);
  });
  if (page0) byPage.set(0, byPage.get(0) ?? page0);
  const columns = page0?.columns ?? [];
  const widths = columns.map((c) => widthOf(c.kind));
  const fullWidth = widths.reduce((a, b) => a + b, 56);
  const error = first.error ?? pageQs.find((q) => q.error)?.error;
  const go = (s: number) => {
    setStart(Math.max(0, s));
    scroller.current?.scrollTo({ top: 0 });
  };
  const fmt = (n: number) => n.toLocaleString();
  return (
    <div className="tv-grid" data-source={source.kind === "run" ? source.run.id : "join"}>
      <ErrorBanner error={error} />
      <div className="tv-status small muted">
        {page0 ? (
          <>
            <span data-matched={total}>
              {state.groupBy ? `${fmt(total)} groups` : `${fmt(total)} rows`}
              {!state.groupBy && total !== page0.total_rows ? ` of ${fmt(page0.total_rows)}` : ""}
            </span>
            {!page0.exact && page0.requested_step !== LATEST_STEP && <span> · step {page0.step} (nearest earlier than {page0.requested_step})</span>}
            {total > WINDOW && (
              <span className="tv-window">
                <button className="btn btn-small" disabled={start === 0} onClick={() => go(start - WINDOW)} aria-label="Previous rows">
                  ◀
                </button>
                rows {fmt(start + 1)}–{fmt(start + count)}
                <button className="btn btn-small" disabled={start + WINDOW >= total} onClick={() => go(start + WINDOW)} aria-label="Next rows">
                  ▶
                </button>
                <button className="btn btn-small" disabled={start + WINDOW >= total} onClick={() => go(Math.floor((total - 1) / WINDOW) * WINDOW)} aria-label="Last rows">
                  ⏭
                </button>
              </span>
            )}
          </>
        ) : first.isPending ? (
          "Loading rows…"
        ) : null}
      </div>
      <div ref={scroller} className="grid-scroller tv-scroller" style={{ height }} role="table" aria-rowcount={total}>
        <div className="grid-head" style={{ width: fullWidth }} role="row">
          <div className="grid-cell tv-index">#</div>
          {columns.map((c, j) => (
            <div
              key={c.name}
              role="columnheader"
              className={`grid-cell grid-hcell${state.sort === c.name ? " sorted" : ""}`}
              style={{ width: widths[j] }}
              title={`${c.name} (${c.kind}); click to sort`}
              aria-sort={state.sort === c.name ? (state.desc ? "descending" : "ascending") : "none"}
              onClick={() => onSort(c.name)}
            >
              <span>{c.name}</span>
              {state.sort === c.name && <span>{state.desc ? "▼" : "▲"}</span>}
            </div>
          ))}
        </div>
        <div style={{ height: virt.getTotalSize(), width: fullWidth, position: "relative" }}>
          {items.map((it) => {
            const p = Math.floor(it.index / PAGE);
            const row = byPage.get(p)?.rows[it.index - p * PAGE];
            return (
              <div key={it.key} className="grid-row" role="row" data-row={start + it.index} style={{ height: rowH, transform: `translateY(${it.start}px)`, width: fullWidth }}>
                <div className="grid-cell tv-index muted">{start + it.index + 1}</div>
                {columns.map((c, j) => (
                  <div key={c.name} className="grid-cell" style={{ width: widths[j] }} role="cell">
                    {row ? <TableCell value={row[j]} kind={c.kind} /> : <span className="tv-pending" />}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
