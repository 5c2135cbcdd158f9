import { memo, useCallback, useMemo, useState } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { LineChart, type LineRun, type XKind } from "../../charts/LineChart";
import { colorOf } from "../../shaping/colors";
import { metricRangeQuery } from "../../queries/metrics";
import { panelAxis, xParamOf } from "../../shaping/axes";
import { LINE_AGGS, relativeX, spliceRange, type LineAgg, type Series } from "../../shaping/series";
import { formatterFor } from "../../shaping/units";
import type { XAxis } from "../../shaping/view";
import type { BandSeries } from "../../shaping/arrowBatch";
import type { RunSeries } from "./useMetricData";
import { bandLabel } from "../../shaping/selection";
import "./panels.css";

interface Props {
  metric: string;
  runs: Run[];
  data: RunSeries;
  colors: Record<string, number>;
  /** The view's x axis; a key with a define_metric step metric draws on it instead of the step. */
  x: XAxis;
  xParam: string;
  smoothing: number;
  logY: boolean;
  /** The panel's line (View.panelConfig): each bucket's mean, max or min. */
  line?: LineAgg;
  /** Called with the metric, so one stable function serves every panel (and memo holds). */
  onLine?: (metric: string, line: LineAgg) => void;
  /** The runs' data has not been asked for or has not arrived yet: says so instead of "No data". */
  pending?: boolean;
  /** The selected runs past the lines drawn, as one band (min–max, with their mean drawn faintly). */
  band?: OthersBand;
}

/** The band of the selection's other runs for one metric, and how many runs it stands for. */
export interface OthersBand {
  series: BandSeries;
  runs: number;
}

/** The grey of the other runs' band: no run's colour. */
export const BAND_COLOR = "#7d8590";

const xKindOf = (x: XAxis): XKind => (x === "ts" ? "time" : x === "relative" ? "seconds" : "number");
const xLabelOf = (x: XAxis) => (x === "ts" ? "Time" : x === "relative" ? "Relative time" : x === "step" ? "Step" : x.slice(7));

/**
 * One metric over the selected runs. Dragging a range refetches that range at full resolution
 * (min/max) and splices it in; a double click goes back to the whole run. A metric every run
 * logged once is a value panel, as in W&B; the legend lists only the runs that logged it.
 */
export const MetricPanel = memo(function MetricPanel({ metric, runs, data, colors, x: viewX, xParam: viewXParam, smoothing, logY, line = "mean", onLine, pending = false, band }: Props) {
  const x = panelAxis(runs, metric, viewX);
  const xParam = x === viewX ? viewXParam : xParamOf(x);
  // The zoomed range, with the x axis it was drawn on: another axis shows the whole run again.
  const [zoom, setZoom] = useState<{ x: XAxis; range: [number, number] } | null>(null);
  const range = zoom && zoom.x === x ? zoom.range : null;
  const withData = useMemo(() => runs.filter((r) => (data[r.id]?.[metric]?.x.length ?? 0) > 0), [runs, data, metric]);
  const detailQueries = range
    ? withData.map((r) => {
        const base = data[r.id]?.[metric];
        const off = base ? offsetOf(x, base) : 0;
        return metricRangeQuery(r, metric, xParam, range[0] + off, range[1] + off);
      })
    : [];
  const combine = useCallback(
    // A run whose detail did not load (yet) keeps its coarse series drawn.
    (results: UseQueryResult<Series>[]) => Object.fromEntries(withData.flatMap((r, i) => (results[i]?.data ? [[r.id, results[i].data]] : []))),
    [withData],
  );
  const detail: Record<string, Series> = useQueries({ queries: detailQueries, combine });

  const lineRuns = useMemo<LineRun[]>(
    () =>
      withData.map((r) => {
        let s = data[r.id][metric];
        const d = detail[r.id];
        if (range && d) s = spliceRange(s, d, range[0] + offsetOf(x, s), range[1] + offsetOf(x, s));
        if (x === "relative") s = relativeX(s);
        return { id: r.id, label: runName(r), color: colorOf(colors[r.id]), series: s };
      }),
    [withData, data, metric, detail, range, colors, x],
  );
  const format = useMemo(() => formatterFor(metric), [metric]);
  // The band is drawn behind the lines (first), in grey; it is not zoomed with them.
  const drawn = useMemo<LineRun[]>(() => {
    if (!band || band.series.x.length === 0) return lineRuns;
    const s = x === "relative" ? relativeX(band.series) : band.series;
    const others: LineRun = { id: "band:others", label: bandLabel(band.runs), color: BAND_COLOR, series: s, faint: true };
    return [others, ...lineRuns];
  }, [band, lineRuns, x]);

  const onZoom = (min: number, max: number) => setZoom({ x, range: [min, max] });
  const onReset = () => setZoom(null);
  const single = lineRuns.length > 0 && drawn.length === lineRuns.length && lineRuns.every((r) => r.series.x.length === 1);
  return (
    <div
      className="metric-panel"
      data-metric={metric}
      data-zoomed={range ? "1" : "0"}
      data-loaded={lineRuns.length}
      data-band={drawn.length > lineRuns.length ? band!.runs : 0}
      data-x={x}
      data-line={line}
      data-pending={pending ? "1" : "0"}
    >
      {drawn.length === 0 ? (
        <div className="panel-empty muted small">{pending ? "Loading…" : "No data for the selected runs"}</div>
      ) : single ? (
        <ValuePanel runs={lineRuns} format={format} />
      ) : (
        <>
          {onLine && (
            <select className="panel-line" value={line} onChange={(e) => onLine(metric, e.target.value as LineAgg)} aria-label="Line" title="The line follows each bucket's mean, max or min; the band spans min to max">
              {LINE_AGGS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
          <LineChart
            runs={drawn}
            xKind={xKindOf(x)}
            xLabel={xLabelOf(x)}
            smoothing={smoothing}
            logY={logY}
            range={range}
            onZoom={onZoom}
            onReset={onReset}
            line={line}
            format={format}
          />
        </>
      )}
    </div>
  );
}, samePanel);

/** A metric each run logged once: its value per run, large, instead of a chart of single dots. */
function ValuePanel({ runs, format }: { runs: LineRun[]; format: (v: number) => string }) {
  return (
    <div className={`value-panel${runs.length === 1 ? " one" : ""}`}>
      {runs.map((r) => {
        const v = r.series.y[0];
        return (
          <div className="value-row" key={r.id} title={r.label}>
            <span className="value-run">
              <i style={{ background: r.color }} />
              {r.label}
            </span>
            <b className="value-num mono">{v == null ? "–" : format(v)}</b>
          </div>
        );
      })}
    </div>
  );
}

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
    a.line === b.line &&
    a.onLine === b.onLine &&
    a.pending === b.pending &&
    a.band === b.band &&
    a.runs.every((r) => a.data[r.id]?.[a.metric] === b.data[r.id]?.[b.metric])
  );
}

/** Relative time is drawn from 0 per run; zoom ranges go back to wall time with the run's start. */
function offsetOf(x: XAxis, s: Series): number {
  return x === "relative" && s.x.length ? s.x[0] : 0;
}
