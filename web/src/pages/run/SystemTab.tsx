import { useEffect, useMemo } from "react";
import { api, unwrap } from "../../api/client";
import type { Run } from "../../api/types";
import { LineChart } from "../../charts/LineChart";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useApi } from "../../hooks/useApi";
import { PALETTE } from "../../shaping/colors";
import { seriesFromApi } from "../../shaping/series";
import { fetchMetrics } from "../workspace/useMetricData";

const noop = () => undefined;
// The SDK samples system metrics every 10 s by default; asking more often finds nothing new.
export const SYSTEM_POLL_MS = 10_000;

/** One chart per system series (CPU, memory, GPU…), on wall-clock time; refreshed while the run is live. */
export function SystemTab({ run }: { run: Run }) {
  const q = useApi(async () => {
    const { keys } = await unwrap(
      api.GET("/api/runs/{run_id}/metric-keys", {
        params: { path: { run_id: run.id }, query: { stream: "system", project_id: run.project_id } },
      }),
    );
    if (keys.length === 0) return { keys, series: {} };
    const res = await fetchMetrics(run, keys, "ts", { stream: "system" });
    return { keys, series: res.series };
  }, [run.id]);
  const { reload } = q;
  useEffect(() => {
    if (run.state !== "running") return;
    const timer = setInterval(reload, SYSTEM_POLL_MS);
    return () => clearInterval(timer);
  }, [run.state, reload]);
  const charts = useMemo(
    () =>
      (q.data?.keys ?? []).map((k, i) => ({
        key: k,
        runs: [{ id: run.id, label: k, color: PALETTE[i % PALETTE.length], series: seriesFromApi(q.data!.series[k]) }],
      })),
    [q.data, run.id],
  );
  if (q.error) return <ErrorBanner error={q.error} onRetry={q.reload} />;
  if (!q.data) return <Loading what="Loading system metrics" />;
  if (charts.length === 0) return <Empty title="No system metrics were recorded for this run" />;
  return (
    <div className="system-grid">
      {charts.map((c) => (
        <div className="panel" key={c.key} data-panel={`system:${c.key}`}>
          <div className="panel-head">
            <span className="panel-title">{c.key}</span>
          </div>
          <div className="panel-body">
            <LineChart runs={c.runs} xKind="time" xLabel="Time" smoothing={0} logY={false} range={null} onZoom={noop} onReset={noop} hideSingleLegend />
          </div>
        </div>
      ))}
    </div>
  );
}
