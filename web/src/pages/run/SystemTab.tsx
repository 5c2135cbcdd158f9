import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { LineChart } from "../../charts/LineChart";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { systemMetricsQuery } from "../../queries/metrics";
import { PALETTE } from "../../shaping/colors";
import { formatterFor } from "../../shaping/units";

const noop = () => undefined;

/** One chart per system series (CPU, memory, GPU…), on wall-clock time; refreshed every 10 s while the run is live. */
export function SystemTab({ run }: { run: Run }) {
  const q = useQuery(systemMetricsQuery(run));
  const charts = useMemo(
    () =>
      (q.data?.keys ?? []).map((k, i) => ({
        key: k,
        runs: [{ id: run.id, label: k, color: PALETTE[i % PALETTE.length], series: q.data!.series[k] }],
        format: formatterFor(k), // bytes, %, W, °C and MHz on the axis and in the tooltip
      })),
    [q.data, run.id],
  );
  if (!q.data) return q.error ? <ErrorBanner error={q.error} onRetry={() => void q.refetch()} /> : <Loading what="Loading system metrics" />;
  if (charts.length === 0) return <Empty title="No system metrics were recorded for this run" />;
  return (
    <div className="system-grid">
      {charts.map((c) => (
        <div className="panel" key={c.key} data-panel={`system:${c.key}`}>
          <div className="panel-head">
            <span className="panel-title">{c.key}</span>
          </div>
          <div className="panel-body">
            <LineChart runs={c.runs} xKind="time" xLabel="Time" smoothing={0} logY={false} range={null} onZoom={noop} onReset={noop} hideSingleLegend format={c.format} />
          </div>
        </div>
      ))}
    </div>
  );
}
