import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef } from "react";
import { Link } from "react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { StateBadge, Tag } from "../../components/status";
import { formatDuration } from "../../shaping/duration";
import { formatValue } from "../../shaping/fields";
import { durationOf, runtimeOf, valueOf, type Column } from "./columns";

const ROW = 34;
const CHECK = 36;

interface Props {
  runs: Run[];
  columns: Column[];
  pinned: Set<string>;
  order: string;
  selected: Set<string>;
  base: string;
  hasMore: boolean;
  onNeedMore: () => void;
  onSort: (field: string) => void;
  onToggle: (id: string) => void;
  onToggleAll: () => void;
}

const dateFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const shortDate = (iso: string) => dateFmt.format(new Date(iso));

function Cell({ run, field, base }: { run: Run; field: string; base: string }) {
  switch (field) {
    case "name":
      return (
        <Link to={`${base}/runs/${run.id}`} className="run-link" title={run.id}>
          {runName(run)}
        </Link>
      );
    case "state":
      return <StateBadge state={run.state} />;
    case "created_at":
      return <span title={run.created_at}>{shortDate(run.created_at)}</span>;
    case "tags":
      return <>{(run.tags ?? []).map((t) => <Tag key={t} name={t} />)}</>;
    case "duration":
    case "runtime": {
      const s = field === "duration" ? durationOf(run) : runtimeOf(run);
      return <span title={s === null ? "" : `${s} s`}>{formatDuration(s)}</span>;
    }
    case "sweep_id":
      return run.sweep_id ? (
        <Link to={`${base}/sweeps/${run.sweep_id}`} title="The sweep this run is a trial of">
          {run.sweep_id}
        </Link>
      ) : null;
    case "notes": {
      const first = (run.notes ?? "").split("\n")[0];
      return <span title={run.notes ?? ""}>{first}</span>;
    }
    default: {
      const s = formatValue(valueOf(run, field));
      return <span title={s}>{s}</span>;
    }
  }
}

/** The runs table body: only the visible rows exist in the DOM, so 10,000 runs scroll like 50. */
export function RunsGrid(p: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: p.runs.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 15 });
  const items = virt.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : 0;
  const { hasMore, onNeedMore } = p;
  const loaded = p.runs.length;
  useEffect(() => {
    // Ask for the next page well before the end, so a fast scroll rarely meets the bottom.
    if (hasMore && lastIndex >= loaded - 400) onNeedMore();
  }, [lastIndex, loaded, hasMore, onNeedMore]);

  // Pinned columns come first and stick to the left edge while the rest scrolls sideways.
  const { cols, lefts, width } = useMemo(() => {
    const cols = [...p.columns.filter((c) => p.pinned.has(c.field)), ...p.columns.filter((c) => !p.pinned.has(c.field))];
    const lefts: number[] = [];
    let acc = CHECK;
    for (const c of cols) {
      lefts.push(acc);
      acc += c.width;
    }
    return { cols, lefts, width: acc };
  }, [p.columns, p.pinned]);
  const sticky = (i: number): React.CSSProperties =>
    p.pinned.has(cols[i].field) ? { position: "sticky", left: lefts[i], zIndex: 2 } : {};
  // A stable callback, so rows that stay in view skip re-rendering while the table scrolls.
  const toggleRef = useRef(p.onToggle);
  useLayoutEffect(() => {
    toggleRef.current = p.onToggle;
  });
  const onToggle = useCallback((id: string) => toggleRef.current(id), []);
  const allSelected = p.runs.length > 0 && p.runs.every((r) => p.selected.has(r.id));
  const desc = p.order.startsWith("-");
  const orderField = desc ? p.order.slice(1) : p.order;

  return (
    <div className="grid-scroller" ref={scroller} data-testid="runs-grid">
      <div className="grid-head" style={{ width }}>
        <div className="grid-cell grid-check pinned" style={{ position: "sticky", left: 0, zIndex: 3 }}>
          <input type="checkbox" aria-label="Select all loaded runs" checked={allSelected} onChange={p.onToggleAll} />
        </div>
        {cols.map((c, i) => (
          <div
            key={c.field}
            className={`grid-cell grid-hcell${p.pinned.has(c.field) ? " pinned" : ""}${orderField === c.field ? " sorted" : ""}`}
            style={{ width: c.width, ...sticky(i), zIndex: p.pinned.has(c.field) ? 3 : 1 }}
            onClick={() => p.onSort(c.field)}
            title={`Sort by ${c.field}`}
            data-field={c.field}
          >
            {c.field.startsWith("config.") && <span className="col-kind">cfg</span>}
            {c.field.startsWith("summary.") && <span className="col-kind col-kind-sum">sum</span>}
            <span className="hlabel">{c.label}</span>
            {orderField === c.field && <span className="sort-arrow">{desc ? "▼" : "▲"}</span>}
          </div>
        ))}
      </div>
      <div style={{ height: virt.getTotalSize(), width, position: "relative" }}>
        {items.map((vi) => {
          const run = p.runs[vi.index];
          return (
            <Row
              key={run.id}
              run={run}
              start={vi.start}
              width={width}
              cols={cols}
              lefts={lefts}
              pinned={p.pinned}
              selected={p.selected.has(run.id)}
              base={p.base}
              onToggle={onToggle}
            />
          );
        })}
      </div>
    </div>
  );
}

interface RowProps {
  run: Run;
  start: number;
  width: number;
  cols: Column[];
  lefts: number[];
  pinned: Set<string>;
  selected: boolean;
  base: string;
  onToggle: (id: string) => void;
}

const Row = memo(function Row({ run, start, width, cols, lefts, pinned, selected, base, onToggle }: RowProps) {
  return (
    <div
      className={`grid-row${selected ? " selected" : ""}`}
      style={{ transform: `translateY(${start}px)`, height: ROW, width }}
      data-run-id={run.id}
    >
      <div className="grid-cell grid-check pinned" style={{ position: "sticky", left: 0, zIndex: 2 }}>
        <input type="checkbox" aria-label={`Select ${runName(run)}`} checked={selected} onChange={() => onToggle(run.id)} />
      </div>
      {cols.map((c, i) => (
        <div
          key={c.field}
          className={`grid-cell${pinned.has(c.field) ? " pinned" : ""}`}
          style={{ width: c.width, ...(pinned.has(c.field) ? { position: "sticky", left: lefts[i], zIndex: 2 } : {}) }}
          data-field={c.field}
        >
          <Cell run={run} field={c.field} base={base} />
        </div>
      ))}
    </div>
  );
});
