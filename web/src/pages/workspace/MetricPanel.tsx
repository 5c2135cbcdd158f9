import { memo, useEffect, useMemo, useRef, useState } from "react";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { LineChart, type LineRun, type XKind } from "../../charts/LineChart";
import { colorOf } from "../../shaping/colors";
import { relativeX, seriesFromApi, spliceRange, type Series } from "../../shaping/series";
import type { XAxis } from "../../shaping/view";
import { fetchMetrics, type RunSeries } from "./useMetricData";

interface Props {
  metric: string;
  runs: Run[];
  data: RunSeries;
  colors: Record<string, number>;
  x: XAxis;
  xParam: string;
  smoothing: number;
  logY: boolean;
}

const xKindOf = (x: XAxis): XKind => (x === "ts" ? "time" : x === "relative" ? "seconds" : "number");
const xLabelOf = (x: XAxis) => (x === "ts" ? "Time" : x === "relative" ? "Relative time" : x === "step" ? "Step" : x.slice(7));

/**
 * One metric over the selected runs. Dragging a range refetches that range at full resolution
 * (min/max) and splices it in; a double click goes back to the whole run.
 */
export const MetricPanel = memo(function MetricPanel({ metric, runs, data, colors, x, xParam, smoothing, logY }: Props) {
  const [zoom, setZoom] = useState<{ range: [number, number]; detail: Record<string, Series> } | null>(null);
  const zoomSeq = useRef(0);
  useEffect(() => setZoom(null), [x]);

  const lineRuns = useMemo<LineRun[]>(
    () =>
      runs.map((r) => {
        let s = data[r.id]?.[metric] ?? { x: [], y: [], lo: [], hi: [] };
        const d = zoom?.detail[r.id];
        if (zoom && d) s = spliceRange(s, d, zoom.range[0] + offsetOf(x, s), zoom.range[1] + offsetOf(x, s));
        if (x === "relative") s = relativeX(s);
        return { id: r.id, label: runName(r), color: colorOf(colors[r.id]), series: s };
      }),
    // Only this metric's series matter, so other panels' updates do not redraw this one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [runs, colors, x, zoom, ...runs.map((r) => data[r.id]?.[metric])],
  );

  const onZoom = async (min: number, max: number) => {
    const mine = ++zoomSeq.current;
    setZoom({ range: [min, max], detail: {} });
    const detail: Record<string, Series> = {};
    await Promise.all(
      runs.map(async (r) => {
        const base = data[r.id]?.[metric];
        const off = base ? offsetOf(x, base) : 0;
        try {
          const res = await fetchMetrics(r, [metric], xParam, { min: min + off, max: max + off });
          detail[r.id] = seriesFromApi(res.series[metric]);
        } catch {
          // The coarse series stays drawn for a run whose detail did not load.
        }
      }),
    );
    if (mine === zoomSeq.current) setZoom({ range: [min, max], detail });
  };
  const onReset = () => {
    zoomSeq.current++;
    setZoom(null);
  };
  const empty = lineRuns.every((r) => r.series.x.length === 0);
  return (
    <div
      className="metric-panel"
      data-metric={metric}
      data-zoomed={zoom ? "1" : "0"}
      data-loaded={lineRuns.filter((r) => r.series.x.length > 0).length}
    >
      {empty ? (
        <div className="panel-empty muted small">No data for the selected runs</div>
      ) : (
        <LineChart
          runs={lineRuns}
          xKind={xKindOf(x)}
          xLabel={xLabelOf(x)}
          smoothing={smoothing}
          logY={logY}
          range={zoom?.range ?? null}
          onZoom={onZoom}
          onReset={onReset}
        />
      )}
    </div>
  );
});

/** Relative time is drawn from 0 per run; zoom ranges go back to wall time with the run's start. */
function offsetOf(x: XAxis, s: Series): number {
  return x === "relative" && s.x.length ? s.x[0] : 0;
}
