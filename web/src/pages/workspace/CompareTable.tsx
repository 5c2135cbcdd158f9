import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { colorOf } from "../../shaping/colors";
import { flatten, formatValue } from "../../shaping/fields";

/**
 * Config and summary of the selected runs side by side; rows whose values differ are highlighted,
 * and with `diffOnly` (a report's RunComparer) they are the only rows shown.
 */
export default function CompareTable({ runs, colors, diffOnly = false }: { runs: Run[]; colors: Record<string, number>; diffOnly?: boolean }) {
  if (runs.length === 0) return <div className="panel-empty muted small">Select runs to compare</div>;
  const flat = runs.map((r) => ({
    ...Object.fromEntries(Object.entries(flatten(r.config ?? {})).map(([k, v]) => [`config.${k}`, v])),
    ...Object.fromEntries(Object.entries(flatten(r.summary ?? {})).map(([k, v]) => [`summary.${k}`, v])),
  }));
  // Fields under a name starting with "_" are the SDK's own (config._wandb, summary._step), as in W&B.
  const all = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => !/^(config|summary)\._/.test(k)).sort();
  const differs = (k: string) => new Set(flat.map((f) => formatValue(f[k]))).size > 1;
  const keys = diffOnly ? all.filter(differs) : all;
  if (keys.length === 0) return <div className="panel-empty muted small">{diffOnly ? "No config or summary value differs between these runs" : "These runs have no config or summary"}</div>;
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
            return (
              <tr key={k} className={differs(k) ? "differs" : ""}>
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
