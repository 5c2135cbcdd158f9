import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { colorOf } from "../../shaping/colors";
import { flatten, formatValue } from "../../shaping/fields";

/** Config and summary of the selected runs side by side; rows whose values differ are highlighted. */
export default function CompareTable({ runs, colors }: { runs: Run[]; colors: Record<string, number> }) {
  if (runs.length === 0) return <div className="panel-empty muted small">Select runs to compare</div>;
  const flat = runs.map((r) => ({
    ...Object.fromEntries(Object.entries(flatten(r.config ?? {})).map(([k, v]) => [`config.${k}`, v])),
    ...Object.fromEntries(Object.entries(flatten(r.summary ?? {})).map(([k, v]) => [`summary.${k}`, v])),
  }));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return (
    <div className="compare-scroll">
      <table className="table compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th>Field</th>
            {runs.map((r) => (
              <th key={r.id}>
                <i className="swatch" style={{ background: colorOf(colors[r.id]) }} />
                {runName(r)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => {
            const vals = flat.map((f) => formatValue(f[k]));
            const differs = new Set(vals).size > 1;
            return (
              <tr key={k} className={differs ? "differs" : ""}>
                <td className="mono">{k}</td>
                {vals.map((v, i) => (
                  <td key={i} className="mono">
                    {v}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
