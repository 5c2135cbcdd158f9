import { memo, useCallback, useMemo, useState } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { LineChart, type LineRun, type XKind } from "../../charts/LineChart";
import { colorOf } from "../../shaping/colors";
import { metricRangeQuery } from "../../queries/metrics";
import { relativeX, spliceRange, type Series } from "../../shaping/series";
import type { XAxis } from "../../shaping/view";
import type { RunSeries } from "./useMetricData";

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
  // The zoomed range, with the x axis it was drawn on: another axis shows the whole run again.
  const [zoom, setZoom] = useState<{ x: XAxis; range: [number, number] } | null>(null);
  const range = zoom && zoom.x === x ? zoom.range : null;
  const detailQueries = range
    ? runs.map((r) => {
        const base = data[r.id]?.[metric];
        const off = base ? offsetOf(x, base) : 0;
        return metricRangeQuery(r, metric, xParam, range[0] + off, range[1] + off);
      })
    : [];
  const combine = useCallback(
    // A run whose detail did not load (yet) keeps its coarse series drawn.
    (results: UseQueryResult<Series>[]) => Object.fromEntries(runs.flatMap((r, i) => (results[i]?.data ? [[r.id, results[i].data]] : []))),
    [runs],
  );
  const detail: Record<string, Series> = useQueries({ queries: detailQueries, combine });

  const lineRuns = useMemo<LineRun[]>(
    () =>
      runs.map((r) => {
        let s = data[r.id]?.[metric] ?? { x: [], y: [], lo: [], hi: [] };
        const d = detail[r.id];
        if (range && d) s = spliceRange(s, d, range[0] + offsetOf(x, s), range[1] + offsetOf(x, s));
        if (x === "relative") s = relativeX(s);
        return { id: r.id, label: runName(r), color: colorOf(colors[r.id]), series: s };
      }),
    [runs, data, metric, detail, range, colors, x],
  );

  const onZoom = (min: number, max: number) => setZoom({ x, range: [min, max] });
  const onReset = () => setZoom(null);
  const empty = lineRuns.every((r) => r.series.x.length === 0);
  return (
    <div
      className="metric-panel"
      data-metric={metric}
      data-zoomed={range ? "1" : "0"}
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
          range={range}
          onZoom={onZoom}
          onReset={onReset}
        />
      )}
    </div>
  );
}, samePanel);

/** A panel redraws when its own metric's series change, not when another panel's data arrives. */
function samePanel(a: Props, b: Props): boolean {
  return (
    a.metric === b.metric &&
    a.runs === b.runs &&
    a.colors === b.colors &&
    a.x === b.x &&
    a.xParam === b.xParam &&
    a.smoothing === b.smoothing &&
    a.logY === b.logY &&
    a.runs.every((r) => a.data[r.id]?.[a.metric] === b.data[r.id]?.[b.metric])
  );
}

/** Relative time is drawn from 0 per run; zoom ranges go back to wall time with the run's start. */
function offsetOf(x: XAxis, s: Series): number {
  return x === "relative" && s.x.length ? s.x[0] : 0;
}
