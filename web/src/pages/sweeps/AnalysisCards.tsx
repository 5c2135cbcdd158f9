import { Link } from "react-router";
import type { ParamAnalysis, SweepAnalysis } from "../../api/sweeps";
import { formatValue } from "../../shaping/fields";
import { correlationBar, describeRange } from "../../shaping/sweeps";

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;

/** One row per parameter: its PED-ANOVA importance (share of the total) and its Spearman correlation with the metric. */
export function ImportanceCard({ analysis }: { analysis: SweepAnalysis }) {
  const metric = (analysis.metric as { name?: string } | null)?.name ?? "the metric";
  return (
    <section className="card sweep-card sweep-importance" data-testid="importance">
      <h2>Parameter importance</h2>
      {analysis.note && <p className="muted small">{analysis.note}</p>}
      {analysis.parameters.length === 0 ? null : (
        <table className="table compact importance-table">
          <thead>
            <tr>
              <th>Parameter</th>
              <th title="PED-ANOVA: how much the parameter decides whether a trial lands in the top quantile">Importance</th>
              <th title={`Spearman rank correlation with ${metric}`}>Correlation with {metric}</th>
            </tr>
          </thead>
          <tbody>
            {analysis.parameters.map((p) => (
              <ParamRows key={p.name} p={p} />
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">
        Importance: PED-ANOVA of the top {pct(analysis.method.target_quantile)} of {analysis.trials.used} trials
        {analysis.trials.imputed ? ` (${analysis.trials.imputed} imputed)` : ""}, less what random top sets of that size score. Correlation:
        Spearman&apos;s.
      </p>
    </section>
  );
}

function ParamRows({ p }: { p: ParamAnalysis }) {
  // An unordered categorical has no correlation of its own: one row per category instead, as W&B shows them.
  const perCategory = p.correlation === null && (p.categories ?? []).length > 0;
  return (
    <>
      <tr data-param={p.name} data-importance={p.importance.toFixed(4)}>
        <td>
          <code>{p.name}</code>
          {p.log && <span className="muted small"> log</span>}
        </td>
        <td>
          <div className="bar-track" title={`PED-ANOVA ${p.importance_raw.toPrecision(3)}, by chance ${p.importance_chance.toPrecision(3)}`}>
            <div className="bar importance-bar" style={{ width: `${Math.max(0, Math.min(1, p.importance)) * 100}%` }} />
          </div>
          <span className="bar-label">{pct(p.importance)}</span>
        </td>
        <td>{perCategory ? <span className="muted small">by category ↓</span> : <CorrelationBar rho={p.correlation} />}</td>
      </tr>
      {perCategory &&
        (p.categories ?? []).map((c) => (
          <tr key={c.label} className="category-row" data-category={c.label}>
            <td className="small">
              {p.name} = <code>{c.label}</code> <span className="muted">({c.count})</span>
            </td>
            <td />
            <td>
              <CorrelationBar rho={c.correlation} />
            </td>
          </tr>
        ))}
    </>
  );
}

function CorrelationBar({ rho }: { rho: number | null }) {
  const bar = correlationBar(rho);
  return (
    <>
      <div className="bar-track corr-track" title={rho === null ? "no correlation (constant)" : rho.toFixed(3)}>
        {bar.side !== "none" && <div className={`bar corr-bar corr-${bar.side}`} style={{ width: `${bar.width}%` }} />}
      </div>
      <span className="bar-label">{rho === null ? "–" : rho.toFixed(2)}</span>
    </>
  );
}

/** The best trial's parameters, and where the top trials put each one (the recommendation's uncertainty). */
export function BestParamsCard({ analysis, base }: { analysis: SweepAnalysis; base: string }) {
  const best = analysis.best;
  const metric = (analysis.metric as { name?: string } | null)?.name ?? "metric";
  return (
    <section className="card sweep-card" data-testid="best-params">
      <h2>Best parameters</h2>
      {!best ? (
        <p className="muted small">No finished trial with a value of {metric} yet.</p>
      ) : (
        <>
          <p>
            <Link to={`${base}/runs/${best.run_id}`}>{best.run_name || best.run_id}</Link>: {metric} ={" "}
            <strong data-testid="best-value">{formatValue(best.value)}</strong>
          </p>
          <table className="table compact">
            <thead>
              <tr>
                <th>Parameter</th>
                <th>Best</th>
                <th title={`Where the top ${best.top_trials} trials lie (${metric} up to ${formatValue(best.top_value)})`}>
                  Top {best.top_trials} trials
                </th>
              </tr>
            </thead>
            <tbody>
              {best.ranges.map((r) => (
                <tr key={r.name} data-param={r.name}>
                  <td>
                    <code>{r.name}</code>
                  </td>
                  <td>{formatValue(r.value)}</td>
                  <td className="small">{describeRange(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">{analysis.method.recommendation}</p>
        </>
      )}
    </section>
  );
}
