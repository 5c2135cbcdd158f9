import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { RunGroup } from "../../api/types";
import { ErrorBanner, Loading } from "../../components/status";
import { runGroupsQuery } from "../../queries/runs";
import { formatDuration } from "../../shaping/duration";
import { formatValue } from "../../shaping/fields";
import { columnFor, type Column } from "./columns";
import { RunsGrid } from "./RunsGrid";
import { useRunPages } from "./useRunPages";

interface Props {
  projectId: string;
  by: string;
  filters: Record<string, unknown> | null;
  order: string;
  columns: Column[];
  pinned: Set<string>;
  selected: Set<string>;
  base: string;
  onSort: (field: string) => void;
  onSelect: (ids: Set<string>) => void;
}

/** Fields whose values can be numbers, so a group can show their mean, min and max. */
const statField = (f: string) => f.startsWith("summary.") || f.startsWith("config.") || f === "runtime" || f === "duration";
const fmt = (field: string, v: number) => (field === "runtime" || field === "duration" ? formatDuration(v) : formatValue(v));

/** `a AND b` as a filters object, either side optional. */
export function andFilters(a: Record<string, unknown> | null, b: Record<string, unknown>): Record<string, unknown> {
  return a ? { $and: [a, b] } : b;
}

/**
 * The runs table grouped by one field: a collapsible row per group with its count and the mean
 * (min–max) of each visible numeric column, all computed by the server over every matching run.
 * An expanded group lists its runs through the same paged, sorted listing as the flat table,
 * filtered by the clause the server gave for that group.
 */
export function GroupedRuns(p: Props) {
  const stats = useMemo(() => p.columns.map((c) => c.field).filter(statField), [p.columns]);
  const q = useQuery(runGroupsQuery(p.projectId, { by: p.by, filters: p.filters, columns: stats }));
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (label: string) => {
    const next = new Set(open);
    if (next.has(label)) next.delete(label);
    else next.add(label);
    setOpen(next);
  };
  if (!q.data) return q.error ? <ErrorBanner error={q.error} onRetry={() => void q.refetch()} /> : <Loading what="Grouping runs" />;
  return (
    <div className="group-list" data-testid="run-groups">
      {q.data.truncated && <div className="muted small">Showing the first {q.data.groups.length} groups.</div>}
      {q.data.groups.map((g) => (
        <div className="run-group" key={g.label} data-group={g.label}>
          <button className="group-row" aria-expanded={open.has(g.label)} onClick={() => toggle(g.label)}>
            <span className="caret">{open.has(g.label) ? "▾" : "▸"}</span>
            <span className="group-label">
              <span className="muted">{columnFor(q.data.by).label}:</span> <b>{g.label}</b>
            </span>
            <span className="group-count" data-testid="group-count">
              {g.count} {g.count === 1 ? "run" : "runs"}
            </span>
            {stats.map((f) => (
              <GroupStat key={f} field={f} group={g} />
            ))}
          </button>
          {open.has(g.label) && <GroupRuns {...p} filters={andFilters(p.filters, g.filter)} />}
        </div>
      ))}
    </div>
  );
}

function GroupStat({ field, group }: { field: string; group: RunGroup }) {
  const s = group.stats[field];
  if (!s) return null;
  const label = columnFor(field).label;
  return (
    <span className="group-stat" data-field={field} title={`${field} over ${s.count} runs: mean ${s.mean}, min ${s.min}, max ${s.max}`}>
      {label} <b>{fmt(field, s.mean)}</b>{" "}
      <span className="muted">
        ({fmt(field, s.min)}–{fmt(field, s.max)})
      </span>
    </span>
  );
}

const ROW = 34;

/** One expanded group's runs, paged from the server like the flat table. */
function GroupRuns(p: Props) {
  const { runs, error, hasMore, loadMore } = useRunPages(p.projectId, { filters: p.filters, order: p.order });
  const toggle = (id: string) => {
    const next = new Set(p.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    p.onSelect(next);
  };
  const toggleAll = () => {
    const next = new Set(p.selected);
    const all = runs.every((r) => next.has(r.id));
    for (const r of runs) if (all) next.delete(r.id); else next.add(r.id);
    p.onSelect(next);
  };
  if (error) return <ErrorBanner error={error} onRetry={loadMore} />;
  return (
    <div className="group-runs" style={{ height: Math.min(420, ROW * (runs.length + 1) + 18) }}>
      <RunsGrid
        runs={runs}
        columns={p.columns}
        pinned={p.pinned}
        order={p.order}
        selected={p.selected}
        base={p.base}
        hasMore={hasMore}
        onNeedMore={loadMore}
        onSort={p.onSort}
        onToggle={toggle}
        onToggleAll={toggleAll}
      />
    </div>
  );
}
