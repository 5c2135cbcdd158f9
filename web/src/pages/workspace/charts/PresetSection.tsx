// The "Custom charts" section: each wandb.plot.* chart the selected runs logged, drawn from its
// table as the preset says (line, scatter, bar, histogram, line series, ROC/PR per class, the
// confusion matrix as a heatmap with counts).
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { LATEST_STEP } from "../../../api/tables";
import type { Run } from "../../../api/types";
import ChartView from "../../../charts/ChartView";
import { ErrorBanner, Loading } from "../../../components/status";
import { tableRowsQuery } from "../../../queries/tables";
import { allRows } from "../../../shaping/frame";
import { presetChart, presetsOf, type Preset } from "../../../shaping/presets";
import { LazyMount } from "../media/LazyMount";
import "../media/media.css";
import "./charts.css";

/** One run's preset chart, drawn from its table (a report's custom chart panel draws these too). */
export function PresetChartView({ run, preset }: { run: Run; preset: Preset }) {
  const chart = useMemo(() => presetChart(preset, run.id), [preset, run.id]);
  const q = useQuery({ ...tableRowsQuery(run, preset.tableKey, LATEST_STEP, null), enabled: !!chart });
  const rows = useMemo(() => (q.data ? allRows(q.data.frame) : []), [q.data]);
  const ctx = useMemo(() => ({ matrix: chart?.matrix }), [chart]);
  if (!chart)
    return (
      <div className="chart-problem" data-chart-problem="">
        The preset {preset.panelDefId} is not one this dashboard draws; its rows are in the table {preset.tableKey}.
      </div>
    );
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!q.data) return <Loading what="Loading chart rows" />;
  return (
    <div className="preset-chart">
      <ChartView spec={chart.spec} frame={q.data.frame} rows={rows} ctx={ctx} label={`${chart.title} (${run.name ?? run.id})`} />
    </div>
  );
}

export default function PresetSection({ runs }: { runs: Run[] }) {
  const [collapsed, setCollapsed] = useState(false);
  const byKey = useMemo(() => {
    const out = new Map<string, { run: Run; preset: Preset }[]>();
    for (const run of runs) for (const p of presetsOf(run.config)) out.set(p.key, [...(out.get(p.key) ?? []), { run, preset: p }]);
    return [...out.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [runs]);
  if (byKey.length === 0) return null;
  return (
    <section className="ws-section media-section" data-section="custom-charts">
      <div className="media-section-head">
        <button className="ws-section-head" onClick={() => setCollapsed((c) => !c)} aria-expanded={!collapsed}>
          <span className={`caret${collapsed ? "" : " open"}`}>▸</span>
          Custom charts <span className="muted small">{byKey.length}</span>
        </button>
      </div>
      {!collapsed && (
        <div className="media-panels">
          {byKey.map(([key, items]) => (
            <div key={key} className="panel media-panel" data-panel={`preset:${key}`} data-preset={items[0].preset.panelDefId}>
              <div className="panel-head">
                <span className="panel-title">{items[0].preset.strings.title || key}</span>
              </div>
              <div className="panel-body">
                <LazyMount minHeight={300}>
                  {items.map(({ run, preset }) => (
                    <div key={run.id} className="preset-run">
                      {runs.length > 1 && <div className="media-run-name small muted">{run.name ?? run.id}</div>}
                      <PresetChartView run={run} preset={preset} />
                    </div>
                  ))}
                </LazyMount>
              </div>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
