// A multi-run line chart on uPlot (canvas). It takes plain arrays and knows nothing of fetching.
// Each run draws its (optionally smoothed) mean, max or min line over a min/max band edged by thin
// min and max lines, as W&B does: a spike that a bucket averages away still reaches its value.
// A series of few points draws markers, so one point is never an empty chart.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { alignSeries, type LineAgg, type Series } from "../shaping/series";
import { ema, positiveOnly } from "../shaping/smoothing";
import { withAlpha } from "../shaping/colors";
import { formatValue } from "../shaping/fields";
import { useSize } from "./useSize";

export interface LineRun {
  id: string;
  label: string;
  color: string;
  series: Series;
  /** An aggregate of many runs (the band of the runs past the first N): a thin, pale mean line. */
  faint?: boolean;
}

export type XKind = "number" | "time" | "seconds";
/** Which of a bucket's values the line follows; the band always spans min to max. */

/** A series with at most this many points draws a marker on each. */
export const MARKERS_UP_TO = 60;

interface Props {
  runs: LineRun[];
  xKind: XKind;
  xLabel: string;
  smoothing: number;
  logY: boolean;
  /** The zoomed x range, or null for the whole run. */
  range: [number, number] | null;
  onZoom: (min: number, max: number) => void;
  onReset: () => void;
  /** A chart of one series needs no legend (its panel title names it). */
  hideSingleLegend?: boolean;
  line?: LineAgg;
  /** Formats y values on the axis and in the tooltip (units); formatValue by default. */
  format?: (v: number) => string;
}

const fmtSeconds = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)}h` : s >= 60 ? `${(s / 60).toFixed(1)}m` : `${s.toFixed(0)}s`);

export function LineChart({ runs, xKind, xLabel, smoothing, logY, range, onZoom, onReset, hideSingleLegend, line = "mean", format = formatValue }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { width, height } = useSize(box);
  const [hidden, setHidden] = useState<Set<string>>(new Set());

  // Time axes draw in seconds (uPlot's convention); the API's wall time is epoch milliseconds.
  const data = useMemo(() => {
    const scale = xKind === "number" ? 1 : 1000;
    const { x, cols } = alignSeries(runs.map((r) => r.series));
    const out: (number | null)[][] = [scale === 1 ? x : x.map((v) => v / scale)];
    cols.forEach((c) => {
      const y = ema(line === "max" ? c.hi : line === "min" ? c.lo : c.y, smoothing);
      out.push(logY ? positiveOnly(y) : y, logY ? positiveOnly(c.lo) : c.lo, logY ? positiveOnly(c.hi) : c.hi);
    });
    return out as uPlot.AlignedData;
  }, [runs, xKind, smoothing, logY, line]);

  // The latest props, for the chart's event hooks and for building it: the chart is rebuilt only
  // when its shape changes, and new data alone goes through setData below.
  const latest = useRef({ runs, data, range, xKind, xLabel, onZoom, onReset, format });
  useLayoutEffect(() => {
    latest.current = { runs, data, range, xKind, xLabel, onZoom, onReset, format };
  });

  // Markers are part of the series' options: a run crossing MARKERS_UP_TO rebuilds the chart.
  const shape = `${runs.map((r) => r.id + r.color + (r.faint ? "~" : "") + (r.series.x.length <= MARKERS_UP_TO ? "*" : "")).join()}|${xKind}|${logY}`;
  const [lo, hi] = range ?? [null, null];

  // Rebuilt when the set of runs, the axes, the zoomed range or the size change.
  useEffect(() => {
    if (!box.current || width === 0) return;
    const { runs, data, xLabel } = latest.current;
    const series: uPlot.Series[] = [{ label: xLabel }];
    const bands: uPlot.Band[] = [];
    runs.forEach((r, i) => {
      const show = !hidden.has(r.id);
      const markers = r.series.x.length <= MARKERS_UP_TO;
      series.push({
        label: r.label,
        stroke: r.faint ? withAlpha(r.color, 0.55) : r.color,
        width: r.faint ? 1 : 1.5,
        points: markers ? { show: true, size: 7, width: 1.5, stroke: r.color, fill: r.color } : { show: false },
        spanGaps: true,
        show,
      });
      // Thin min and max lines edge the band, so a one-bucket extreme is a visible peak, not a haze.
      const edge = withAlpha(r.color, r.faint ? 0.35 : 0.6);
      series.push({ stroke: edge, width: 1, points: { show: false }, spanGaps: true, show });
      series.push({ stroke: edge, width: 1, points: { show: false }, spanGaps: true, show });
      bands.push({ series: [3 * i + 3, 3 * i + 2], fill: withAlpha(r.color, r.faint ? 0.16 : 0.22) });
    });
    const opts: uPlot.Options = {
      width,
      height: Math.max(80, height),
      series,
      bands,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      scales: {
        x: { time: xKind === "time" },
        y: logY ? { distr: 3 } : {},
      },
      axes: [
        { stroke: "#666", grid: { stroke: "#eee" }, ticks: { stroke: "#ddd" }, size: xKind === "time" ? 50 : 36, ...(xKind === "seconds" ? { values: (_u, v) => v.map(fmtSeconds) } : {}) },
        { stroke: "#666", grid: { stroke: "#eee" }, ticks: { stroke: "#ddd" }, size: fitAxisToLabels, values: (_u, v) => v.map((n) => latest.current.format(n)) },
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const min = u.posToVal(u.select.left, "x");
            const max = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            const k = xKind === "number" ? 1 : 1000;
            latest.current.onZoom(min * k, max * k);
          },
        ],
        setCursor: [
          (u) => {
            const el = tip.current;
            if (!el) return;
            const i = u.cursor.idx;
            if (i == null || u.cursor.left == null || u.cursor.left < 0) {
              el.style.display = "none";
              return;
            }
            const xv = u.data[0][i];
            const xs = xKind === "time" ? new Date(xv * 1000).toLocaleString() : xKind === "seconds" ? fmtSeconds(xv) : formatValue(xv);
            const fmt = latest.current.format;
            const rows = runs
              .map((r, j) => ({ r, v: u.data[1 + 3 * j][i], lo: u.data[2 + 3 * j][i], hi: u.data[3 + 3 * j][i] }))
              .filter(({ r, v }) => v != null && !hidden.has(r.id))
              .map(({ r, v, lo, hi }) => {
                const spread = lo != null && hi != null && lo !== hi ? ` <span class="muted">${fmt(lo)} – ${fmt(hi)}</span>` : "";
                return `<div><i style="background:${r.color}"></i>${escapeHtml(r.label)} <b>${fmt(v!)}</b>${spread}</div>`;
              })
              .join("");
            el.innerHTML = `<div class="tip-x">${escapeHtml(xLabel)} ${xs}</div>${rows}`;
            el.style.display = rows ? "block" : "none";
            // The tip lives in the chart box; the cursor is relative to the plotting area inside it.
            const ox = u.over.getBoundingClientRect().left - el.parentElement!.getBoundingClientRect().left;
            const oy = u.over.getBoundingClientRect().top - el.parentElement!.getBoundingClientRect().top;
            const left = ox + u.cursor.left + 14;
            const flip = left + el.offsetWidth > el.parentElement!.clientWidth;
            el.style.left = `${flip ? ox + u.cursor.left - el.offsetWidth - 14 : left}px`;
            el.style.top = `${oy + (u.cursor.top ?? 0) + 10}px`;
          },
        ],
      },
    };
    const u = new uPlot(opts, data, box.current);
    if (lo !== null && hi !== null) u.setScale("x", xKind === "number" ? { min: lo, max: hi } : { min: lo / 1000, max: hi / 1000 });
    else widenSinglePoint(u, data, xKind);
    const dbl = () => latest.current.onReset();
    u.over.addEventListener("dblclick", dbl);
    u.root.dataset.drawn = "1";
    // The browser tests read the canvas and map values to pixels through the chart itself.
    (u.root as HTMLElement & { uplot?: uPlot }).uplot = u;
    plot.current = u;
    return () => {
      u.over.removeEventListener("dblclick", dbl);
      u.destroy();
      plot.current = null;
    };
  }, [shape, xKind, logY, width, height, lo, hi, hidden]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const { range, xKind } = latest.current;
    u.setData(data, !range);
    if (range) u.setScale("x", xKind === "number" ? { min: range[0], max: range[1] } : { min: range[0] / 1000, max: range[1] / 1000 });
    else widenSinglePoint(u, data, xKind);
  }, [data]);

  const toggle = (id: string) => {
    const next = new Set(hidden);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setHidden(next);
  };

  return (
    <div className="line-chart">
      <div className="plot-box" ref={box}>
        <div className="chart-tip" ref={tip} />
      </div>
      <div className="legend" hidden={runs.length < 2 && hideSingleLegend}>
        {runs.map((r) => (
          <button
            key={r.id}
            className={`legend-item${hidden.has(r.id) ? " off" : ""}${r.faint ? " legend-band" : ""}`}
            onClick={() => toggle(r.id)}
            title={r.faint ? "Show or hide the band of these runs" : "Show or hide this run"}
          >
            <i style={{ background: r.color }} />
            {r.label}
          </button>
        ))}
      </div>
    </div>
  );
}

/**
 * uPlot widens a time axis whose data spans no time by 86400 / ms seconds, which with seconds
 * (ms = 1e-3) is 1000 days: a run whose points share one timestamp showed ticks for 2027-2029.
 * Such an axis spans a minute around the point instead (a step axis: one step either side).
 */
export function singlePointRange(x: readonly number[], xKind: XKind): [number, number] | null {
  if (x.length === 0 || x[0] !== x[x.length - 1]) return null;
  const pad = xKind === "number" ? 1 : 30;
  return [x[0] - pad, x[0] + pad];
}

function widenSinglePoint(u: uPlot, data: uPlot.AlignedData, xKind: XKind) {
  const r = singlePointRange(data[0] as number[], xKind);
  if (r) u.setScale("x", { min: r[0], max: r[1] });
}

/** The y axis is as wide as its longest label (uPlot's sizing recipe), so "25.675" is never cut to "5.675". */
export function fitAxisToLabels(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx] as uPlot.Axis & { _size?: number; font?: [string, number] };
  if (cycleNum > 1 && axis._size) return axis._size;
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 4;
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), "");
  if (longest) {
    u.ctx.font = axis.font?.[0] ?? u.ctx.font;
    size += u.ctx.measureText(longest).width / (globalThis.devicePixelRatio || 1);
  }
  return Math.ceil(Math.max(size, 36));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
