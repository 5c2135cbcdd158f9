import { useState } from "react";
import { Link } from "react-router";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { colorOf } from "../../shaping/colors";
import { StateBadge } from "../../components/status";

interface Props {
  runs: Run[];
  selected: string[];
  colors: Record<string, number>;
  base: string;
  total: number | null;
  onChange: (ids: string[]) => void;
}

/** The workspace's run list: the eye toggles a run in every chart, in its stable colour. */
export function RunSelector({ runs, selected, colors, base, total, onChange }: Props) {
  const [q, setQ] = useState("");
  const shown = runs.filter((r) => runName(r).toLowerCase().includes(q.toLowerCase()) || r.id.includes(q));
  const toggle = (id: string) => onChange(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  return (
    <aside className="run-selector" data-testid="run-selector">
      <div className="rs-head">
        <span>
          Runs <span className="muted">{total ?? runs.length}</span>
        </span>
        <span className="muted small">{selected.length} shown</span>
      </div>
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
