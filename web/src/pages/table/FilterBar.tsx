import type { FilterOp, FilterRow } from "../../shaping/fields";

const OPS: [FilterOp, string][] = [
  ["$eq", "="],
  ["$ne", "≠"],
  ["$gt", ">"],
  ["$gte", "≥"],
  ["$lt", "<"],
  ["$lte", "≤"],
  ["$in", "in"],
  ["$exists", "exists"],
];

interface Props {
  fields: string[];
  rows: FilterRow[];
  onChange: (rows: FilterRow[]) => void;
}

/** Filter rows the server applies (ANDed); values are typed as numbers or booleans when they look like one. */
export function FilterBar({ fields, rows, onChange }: Props) {
  const set = (i: number, patch: Partial<FilterRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="filter-bar">
      {rows.map((r, i) => (
        <div className="filter-row" key={i}>
          <select value={r.field} onChange={(e) => set(i, { field: e.target.value })} aria-label="Filter field">
            {fields.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
          <select value={r.op} onChange={(e) => set(i, { op: e.target.value as FilterOp })} aria-label="Operator">
            {OPS.map(([op, label]) => (
              <option key={op} value={op}>
                {label}
              </option>
            ))}
          </select>
          <input value={r.value} onChange={(e) => set(i, { value: e.target.value })} placeholder="value" aria-label="Filter value" />
          <button className="btn btn-ghost btn-small" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label="Remove filter">
            ✕
          </button>
        </div>
      ))}
      <button className="btn btn-small" onClick={() => onChange([...rows, { field: fields[0] ?? "state", op: "$eq", value: "" }])}>
        + Filter
      </button>
    </div>
  );
}
