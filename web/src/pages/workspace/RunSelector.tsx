import { useMemo, useState } from "react";
import { Link } from "react-router";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { colorOf } from "../../shaping/colors";
import { collectKeys } from "../../shaping/fields";
import { StateBadge } from "../../components/status";
import { topRunsBy } from "./sections";
import { MAX_SELECTED } from "../../shaping/selection";
import "./layout.css";

interface Props {
  runs: Run[];
  selected: string[];
  colors: Record<string, number>;
  base: string;
  total: number | null;
  /** The selection is the default one (the most recent runs), not one the user picked. */
  auto: boolean;
  onChange: (ids: string[]) => void;
  /** Selects every run of the project (up to MAX_SELECTED), including those not listed here. */
  onShowAll?: () => void;
}

/** The workspace's run list: the eye toggles a run in every chart, in its stable colour. */
export function RunSelector({ runs, selected, colors, base, total, auto, onChange, onShowAll }: Props) {
  const [q, setQ] = useState("");
  const [picking, setPicking] = useState(false);
  const shown = runs.filter((r) => runName(r).toLowerCase().includes(q.toLowerCase()) || r.id.includes(q));
  const toggle = (id: string) => onChange(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  const count = total ?? runs.length;
  const hidden = Math.max(0, count - selected.length);
  return (
    <aside className="run-selector" data-testid="run-selector">
      <div className="rs-head">
        <span>
          Runs <span className="muted">{count}</span>
        </span>
        <span className="muted small" data-testid="runs-shown">
          {selected.length} shown
        </span>
      </div>
      {hidden > 0 && (
        <div className="rs-hint small" data-testid="runs-hidden-hint">
          <span>
            {auto ? `Showing the ${selected.length} most recent` : `Showing ${selected.length} you picked`}; {hidden} hidden.
          </span>{" "}
          <button className="link-btn" onClick={() => (onShowAll && count > runs.length ? onShowAll() : onChange(runs.map((r) => r.id)))}>
            {count > MAX_SELECTED ? `Show the newest ${MAX_SELECTED.toLocaleString("en-US")}` : "Show all"}
          </button>{" "}
          ·{" "}
          <button className="link-btn" onClick={() => setPicking((p) => !p)} aria-expanded={picking}>
            Top N by metric
          </button>
          {picking && <TopByMetric runs={runs} onPick={(ids) => (setPicking(false), onChange(ids))} />}
        </div>
      )}
      <input className="search" placeholder="Filter runs" value={q} onChange={(e) => setQ(e.target.value)} />
      <ul>
        {shown.map((r) => {
          const on = selected.includes(r.id);
          return (
            <li key={r.id} className={on ? "on" : ""}>
              <button className="eye" onClick={() => toggle(r.id)} aria-pressed={on} aria-label={`Show ${runName(r)}`} data-run-id={r.id}>
                <i style={{ background: on ? colorOf(colors[r.id]) : "transparent", borderColor: on ? colorOf(colors[r.id]) : "#bbb" }} />
              </button>
              <Link to={`${base}/runs/${r.id}`} className="rs-name" title={r.id}>
                {runName(r)}
              </Link>
              {r.state === "running" && <StateBadge state="running" />}
            </li>
          );
        })}
      </ul>
    </aside>
  );
}

/** Picks the N runs with the lowest (or highest) summary value of one metric. */
function TopByMetric({ runs, onPick }: { runs: Run[]; onPick: (ids: string[]) => void }) {
  const keys = useMemo(() => collectKeys(runs.map((r) => r.summary)).filter((k) => !k.startsWith("_")), [runs]);
  const [key, setKey] = useState("");
  const [n, setN] = useState(5);
  const [dir, setDir] = useState<"min" | "max">("min");
  const metric = key || keys[0] || "";
  return (
    <div className="rs-top" role="group" aria-label="Top N by metric">
      <label>
        Top{" "}
        <input type="number" min={1} max={200} value={n} onChange={(e) => setN(Math.max(1, Number(e.target.value) || 1))} aria-label="How many runs" />
      </label>
      <select value={dir} onChange={(e) => setDir(e.target.value as "min" | "max")} aria-label="Lowest or highest">
        <option value="min">lowest</option>
        <option value="max">highest</option>
      </select>
      <select value={metric} onChange={(e) => setKey(e.target.value)} aria-label="Metric">
        {keys.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <button className="btn" disabled={!metric} onClick={() => onPick(topRunsBy(runs, metric, dir, n))}>
        Show
      </button>
    </div>
  );
}
