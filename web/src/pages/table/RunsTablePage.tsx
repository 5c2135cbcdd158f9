import { useCallback, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { Project } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { useProject } from "../../queries/projects";
import { buildFilters, collectKeys, type FilterRow } from "../../shaping/fields";
import { ColumnPicker } from "./ColumnPicker";
import { columnFor, DEFAULT_FIXED, FIXED } from "./columns";
import { FilterBar } from "./FilterBar";
import { GroupedRuns } from "./GroupedRuns";
import { RunsGrid } from "./RunsGrid";
import { useRunPages } from "./useRunPages";

export default function RunsTablePage() {
  const { entity = "", project = "" } = useParams();
  const p = useProject(entity, project);
  // A failed refetch (on focus) keeps the page it has; only a project never loaded shows the error.
  if (!p.data) return p.error ? <ErrorBanner error={p.error} onRetry={() => void p.refetch()} /> : <Loading what="Loading project" />;
  return <RunsTable project={p.data} />;
}

const list = (s: string | null) => (s ? s.split(",").filter(Boolean) : []);

function readRows(s: string | null): FilterRow[] {
  try {
    const rows = JSON.parse(s ?? "[]") as FilterRow[];
    return Array.isArray(rows) ? rows : [];
  } catch {
    return [];
  }
}

/** Everything about the table (search, filters, order, columns, selection) lives in the URL, so any state is a link. */
function RunsTable({ project }: { project: Project }) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const base = `/${project.entity}/${project.name}`;
  const update = useCallback(
    (patch: Record<string, string | null>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) if (v) next.set(k, v); else next.delete(k);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const [search, setSearch] = useState(params.get("q") ?? "");
  const [rows, setRows] = useState<FilterRow[]>(() => readRows(params.get("f")));
  const order = params.get("order") ?? "-created_at";
  const groupBy = params.get("by") ?? "";
  const selected = useMemo(() => new Set(list(params.get("sel"))), [params]);
  const pinned = useMemo(() => new Set(params.has("pin") ? list(params.get("pin")) : ["name"]), [params]);

  const q = useDebounced(search, 300);
  const activeRows = useDebounced(
    rows.filter((r) => r.field && (r.value.trim() !== "" || r.op === "$exists")),
    300,
  );
  const filters = useMemo(() => buildFilters(activeRows, q), [activeRows, q]);
  const { runs, total, error, loading, loadMore, hasMore } = useRunPages(project.id, { filters, order });

  // Column choices come from the config and summary keys of the runs seen so far.
  const configKeys = useMemo(() => collectKeys(runs.slice(0, 500).map((r) => r.config)).map((k) => `config.${k}`), [runs]);
  const summaryKeys = useMemo(() => collectKeys(runs.slice(0, 500).map((r) => r.summary)).map((k) => `summary.${k}`), [runs]);
  const available = [...FIXED.map((c) => c.field), ...configKeys, ...summaryKeys];
  const visible = params.has("cols")
    ? list(params.get("cols"))
    : [...DEFAULT_FIXED, ...configKeys.slice(0, 4), ...summaryKeys.filter((k) => !k.startsWith("summary._")).slice(0, 6)];
  // Columns keep their identity while the same fields are shown, so loading a page of runs (which
  // rebuilds the lists above) does not re-render every row.
  const visibleKey = JSON.stringify(visible);
  const columns = useMemo(() => (JSON.parse(visibleKey) as string[]).map(columnFor), [visibleKey]);

  const setSelected = (ids: Set<string>) => update({ sel: [...ids].join(",") || null });
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const toggleAll = () => setSelected(runs.every((r) => selected.has(r.id)) ? new Set() : new Set(runs.map((r) => r.id)));
  const sort = (field: string) => update({ order: order === `-${field}` ? field : `-${field}` });

  return (
    <div className="page page-full">
      <div className="page-head">
        <h1>
          Runs <span className="muted count" data-testid="runs-total">{total ?? runs.length}</span>
        </h1>
        <div className="head-actions">
          <input
            className="search"
            placeholder="Search run names"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              update({ q: e.target.value || null });
            }}
          />
          <GroupBySelect value={groupBy} configKeys={configKeys} onChange={(by) => update({ by: by || null })} />
          <ColumnPicker
            available={available}
            visible={visible}
            pinned={pinned}
            onChange={(cols, pin) => update({ cols: cols.join(","), pin: pin.join(",") || "-" })}
          />
          <button
            className="btn btn-primary"
            disabled={selected.size === 0}
            onClick={() => navigate(`${base}/workspace?runs=${[...selected].join(",")}`)}
            data-testid="compare-selected"
          >
            Compare {selected.size || ""} in workspace
          </button>
        </div>
      </div>
      <FilterBar
        fields={available}
        rows={rows}
        onChange={(r) => {
          setRows(r);
          update({ f: r.length ? JSON.stringify(r) : null });
        }}
      />
      <ErrorBanner error={error} onRetry={loadMore} />
      {runs.length === 0 && loading ? (
        <Loading what="Loading runs" />
      ) : runs.length === 0 && !error ? (
        <Empty title={filters ? "No run matches these filters" : "No runs in this project yet"}>
          {!filters && (
            <>
              Start one with <code>wanllmdb.init(project="{project.name}")</code>. <Link to={base}>Back to overview</Link>
            </>
          )}
        </Empty>
      ) : groupBy ? (
        <GroupedRuns
          projectId={project.id}
          by={groupBy}
          filters={filters}
          order={order}
          columns={columns}
          pinned={pinned}
          selected={selected}
          base={base}
          onSort={sort}
          onSelect={setSelected}
        />
      ) : (
        <RunsGrid
          runs={runs}
          columns={columns}
          pinned={pinned}
          order={order}
          selected={selected}
          base={base}
          hasMore={hasMore}
          onNeedMore={loadMore}
          onSort={sort}
          onToggle={toggle}
          onToggleAll={toggleAll}
        />
      )}
    </div>
  );
}

/** The fields runs can be grouped by: the run's own labels and any config key (as in wandb). */
const GROUPABLE = ["group", "job_type", "tags", "state", "created_by", "host", "sweep_id"];

function GroupBySelect({ value, configKeys, onChange }: { value: string; configKeys: string[]; onChange: (by: string) => void }) {
  const options = [...GROUPABLE, ...configKeys];
  if (value && !options.includes(value)) options.push(value); // from a link, before the runs load
  return (
    <label className="group-by">
      Group by{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-label="Group runs by">
        <option value="">(no grouping)</option>
        {options.map((f) => (
          <option key={f} value={f}>
            {f.startsWith("config.") ? f : columnFor(f).label}
          </option>
        ))}
      </select>
    </label>
  );
}
