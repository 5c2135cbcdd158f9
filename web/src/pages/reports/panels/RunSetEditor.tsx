// A panel grid's run sets, edited in place: the project, the workspace's run filter (JSON), grouping,
// sort, selection (all runs, or the listed ids) and limit.
import { useState } from "react";
import { newBlockId, type RunSet } from "../spec";

interface Props {
  runSets: RunSet[];
  onChange: (runSets: RunSet[]) => void;
}

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

function RunSetRow({ rs, onChange, onRemove }: { rs: RunSet; onChange: (rs: RunSet) => void; onRemove?: () => void }) {
  const [filters, setFilters] = useState(() => (rs.filters ? JSON.stringify(rs.filters) : ""));
  const [filterError, setFilterError] = useState<string | null>(null);
  const sort = rs.sort?.[0];
  const applyFilters = () => {
    if (!filters.trim()) {
      const { filters: _drop, ...rest } = rs;
      void _drop;
      setFilterError(null);
      return onChange(rest);
    }
    try {
      const f = JSON.parse(filters) as unknown;
      if (!f || typeof f !== "object" || Array.isArray(f)) throw new Error("a filter is a JSON object");
      setFilterError(null);
      onChange({ ...rs, filters: f as Record<string, unknown> });
    } catch (e) {
      setFilterError((e as Error).message);
    }
  };
  return (
    <fieldset className="report-runset" data-runset={rs.id}>
      <label>
        Name <input value={rs.name ?? ""} onChange={(e) => onChange({ ...rs, name: e.target.value })} aria-label="Run set name" />
      </label>
      <label>
        Project <input value={rs.project} onChange={(e) => onChange({ ...rs, project: e.target.value })} placeholder="entity/project" aria-label="Run set project" />
      </label>
      <label>
        Filters{" "}
        <input className="mono" value={filters} onChange={(e) => setFilters(e.target.value)} onBlur={applyFilters} placeholder='{"state": "finished"}' aria-label="Run set filters" />
      </label>
      {filterError && <span className="error-text small">{filterError}</span>}
      <label>
        Group by <input value={(rs.grouping ?? []).join(", ")} onChange={(e) => onChange({ ...rs, grouping: list(e.target.value) })} placeholder="config.lr" aria-label="Run set grouping" />
      </label>
      <label>
        Sort{" "}
        <input
          value={sort?.key ?? ""}
          onChange={(e) => onChange({ ...rs, sort: e.target.value ? [{ key: e.target.value, order: sort?.order ?? "desc" }] : [] })}
          placeholder="created_at"
          aria-label="Run set sort key"
        />
        <select value={sort?.order ?? "desc"} onChange={(e) => sort && onChange({ ...rs, sort: [{ key: sort.key, order: e.target.value as "asc" | "desc" }] })} aria-label="Run set sort order">
          <option value="desc">desc</option>
          <option value="asc">asc</option>
        </select>
      </label>
      <label>
        Runs{" "}
        <select
          value={rs.selection?.mode ?? "all"}
          onChange={(e) => onChange({ ...rs, selection: { ...rs.selection, mode: e.target.value as "all" | "selected" } })}
          aria-label="Run set selection"
        >
          <option value="all">all matching</option>
          <option value="selected">only these ids</option>
        </select>
      </label>
      {rs.selection?.mode === "selected" && (
        <input
          className="mono"
          value={(rs.selection.run_ids ?? []).join(", ")}
          onChange={(e) => onChange({ ...rs, selection: { mode: "selected", run_ids: list(e.target.value) } })}
          placeholder="run ids, comma separated"
          aria-label="Selected run ids"
        />
      )}
      <label>
        Limit <input type="number" min={1} max={1000} value={rs.limit ?? 50} onChange={(e) => onChange({ ...rs, limit: Math.max(1, Math.min(1000, Number(e.target.value) || 50)) })} aria-label="Run set limit" />
      </label>
      {onRemove && (
        <button className="btn btn-small" onClick={onRemove}>
          Remove run set
        </button>
      )}
    </fieldset>
  );
}

export function RunSetEditor({ runSets, onChange }: Props) {
  const set = (i: number, rs: RunSet) => onChange(runSets.map((x, j) => (j === i ? rs : x)));
  return (
    <div className="report-runsets">
      {runSets.map((rs, i) => (
        <RunSetRow key={rs.id} rs={rs} onChange={(v) => set(i, v)} onRemove={runSets.length > 1 ? () => onChange(runSets.filter((_, j) => j !== i)) : undefined} />
      ))}
      <button className="btn btn-small" onClick={() => onChange([...runSets, { id: newBlockId(), project: runSets[0]?.project ?? "" }])}>
        Add run set
      </button>
    </div>
  );
}
