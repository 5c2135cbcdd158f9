import { CHART_LABELS, CHART_TYPES, TYPE_ROLES, type ChartSource, type ChartSpec, type ChartType, type Role } from "../../../shaping/chartSpec";
import { FilterBar } from "../../table/FilterBar";

/** A table a custom chart can read: one run's table key. */
export interface TableChoice {
  run: string;
  runName: string;
  key: string;
}

interface Props {
  spec: ChartSpec;
  /** The columns of the chosen source (a table's, or the run fields). */
  columns: string[];
  tables: TableChoice[];
  onChange: (spec: ChartSpec) => void;
}

const sourceValue = (s: ChartSource) => (s.kind === "runs" ? "runs" : JSON.stringify([s.run, s.key]));

/** The custom chart's settings: type, source, which column plays which role, axes, filters. */
export function ChartEditor({ spec, columns, tables, onChange }: Props) {
  const set = (patch: Partial<ChartSpec>) => onChange({ ...spec, ...patch });
  const setField = (role: Role, col: string) => {
    const fields = { ...spec.fields };
    if (col) fields[role] = col;
    else delete fields[role];
    set({ fields });
  };
  const setSource = (v: string) => {
    if (v === "runs") return set({ source: { kind: "runs" }, filters: [] });
    const [run, key] = JSON.parse(v) as [string, string];
    set({ source: { kind: "table", run, key }, filters: [], brush: undefined });
  };
  // A mapped column the source lacks stays listed (marked), so the choice is visible and fixable.
  const options = (current: string | undefined) => (current && !columns.includes(current) ? [current, ...columns] : columns);
  const dims = spec.dims ?? [];
  return (
    <div className="chart-editor" role="group" aria-label="Chart settings">
      <label>
        Type
        <select value={spec.type} onChange={(e) => set({ type: e.target.value as ChartType })} aria-label="Chart type">
          {CHART_TYPES.map((t) => (
            <option key={t} value={t}>
              {CHART_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Data
        <select value={sourceValue(spec.source)} onChange={(e) => setSource(e.target.value)} aria-label="Chart data">
          <option value="runs">Runs table (config and summary)</option>
          {spec.source.kind === "table" && !tables.some((t) => t.run === (spec.source as { run: string }).run && t.key === (spec.source as { key: string }).key) && (
            <option value={sourceValue(spec.source)}>
              {spec.source.key} ({spec.source.run})
            </option>
          )}
          {tables.map((t) => (
            <option key={`${t.run}/${t.key}`} value={JSON.stringify([t.run, t.key])}>
              {t.key} ({t.runName})
            </option>
          ))}
        </select>
      </label>
      {TYPE_ROLES[spec.type].map((d) => (
        <label key={d.role}>
          {d.label}
          <select value={spec.fields[d.role] ?? ""} onChange={(e) => setField(d.role, e.target.value)} aria-label={`Field ${d.role}`}>
            {!d.required || !spec.fields[d.role] ? <option value="">{d.required ? "(choose)" : "(none)"}</option> : null}
            {options(spec.fields[d.role]).map((c) => (
              <option key={c} value={c}>
                {columns.includes(c) ? c : `${c} (missing)`}
              </option>
            ))}
          </select>
        </label>
      ))}
      {spec.type === "parallel" && (
        <fieldset className="chart-dims">
          <legend>Axes</legend>
          {columns.map((c) => (
            <label key={c} className="chart-dim">
              <input
                type="checkbox"
                checked={dims.includes(c)}
                onChange={(e) => set({ dims: e.target.checked ? [...dims, c] : dims.filter((d) => d !== c) })}
                aria-label={`Axis ${c}`}
              />
              {c}
            </label>
          ))}
        </fieldset>
      )}
      {spec.type === "3d" && (
        <label className="inline">
          <input type="checkbox" checked={!!spec.surface} onChange={(e) => set({ surface: e.target.checked || undefined })} /> Surface
        </label>
      )}
      {spec.type === "histogram" && (
        <label>
          Bins
          <input type="number" min={2} max={500} value={spec.bins ?? 30} onChange={(e) => set({ bins: Math.max(2, Math.min(500, Number(e.target.value) || 30)) })} />
        </label>
      )}
      {["line", "scatter", "bar", "histogram", "box"].includes(spec.type) && (
        <label className="inline">
          <input type="checkbox" checked={!!spec.logY} onChange={(e) => set({ logY: e.target.checked || undefined })} /> Log y
        </label>
      )}
      {spec.source.kind === "runs" && (spec.type === "parallel" || spec.type === "scatter") && (
        <label className="inline">
          <input type="checkbox" checked={!!spec.brush} onChange={(e) => set({ brush: e.target.checked || undefined })} aria-label="Brushing filters the workspace" /> Brushing filters
          the workspace&apos;s runs
        </label>
      )}
      <div className="chart-filters">
        <span className="small muted">Rows kept</span>
        <FilterBar fields={columns} rows={spec.filters ?? []} onChange={(filters) => set({ filters })} />
      </div>
    </div>
  );
}
