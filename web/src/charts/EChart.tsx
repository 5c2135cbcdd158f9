// An ECharts chart for a ready option: plain data in, no fetching. ECharts (and echarts-gl, and the
// world shapes) load with the first chart that needs them. The element carries `data-drawn` once
// ECharts has finished a frame, and `data-render-ms`, the time from handing over the option to that
// frame, which the browser test reads.
import { useEffect, useRef, useState } from "react";
import type { EChartsType } from "echarts/core";
import type { Option } from "../shaping/chartOptions";
import { ErrorBanner, Loading } from "../components/status";
import { loadECharts, loadGL, loadWorld } from "./echarts/load";

export interface EChartHandlers {
  /** A parallel axis' brushed intervals changed (axis index, intervals in axis units). */
  onAxisSelect?: (axis: number, intervals: [number, number][]) => void;
  /** A rectangle brushed on a cartesian chart: [[x0, x1], [y0, y1]], or null when cleared. */
  onRect?: (range: [[number, number], [number, number]] | null) => void;
}

interface Props extends EChartHandlers {
  option: Option;
  gl?: boolean;
  geo?: boolean;
  label: string;
  height?: number | string;
}

export default function EChart({ option, gl, geo, label, height = "100%", onAxisSelect, onRect }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [drawError, setDrawError] = useState<{ option: Option; error: unknown } | null>(null);
  const handlers = useRef<EChartHandlers>({});
  useEffect(() => {
    handlers.current = { onAxisSelect, onRect };
  });

  // ECharts (and what this chart needs of echarts-gl and the map) load once per page.
  useEffect(() => {
    let live = true;
    Promise.all([loadECharts(), gl ? loadGL() : null, geo ? loadWorld() : null])
      .then(([echarts]) => {
        if (!live || !box.current) return;
        const c = echarts.init(box.current, null, { renderer: "canvas" });
        chart.current = c;
        c.on("axisareaselected", (e) => {
          // Axes are given ids "axis-<index>" (chartOptions/relational.ts).
          const p = e as { parallelAxisId?: string; intervals?: [number, number][] };
          const index = Number(/^axis-(\d+)$/.exec(p.parallelAxisId ?? "")?.[1] ?? -1);
          if (index >= 0) handlers.current.onAxisSelect?.(index, (p.intervals ?? []).map(([a, b]) => [a, b]));
        });
        c.on("brushEnd", (e) => {
          const areas = (e as { areas?: { coordRange?: [[number, number], [number, number]] }[] }).areas ?? [];
          const last = areas[areas.length - 1];
          handlers.current.onRect?.(last?.coordRange ?? null);
        });
        c.on("brush", (e) => {
          const areas = (e as { areas?: unknown[]; command?: string }).areas;
          if (areas && areas.length === 0) handlers.current.onRect?.(null);
        });
        setReady(true);
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
      chart.current?.dispose();
      chart.current = null;
    };
  }, [gl, geo]);

  useEffect(() => {
    const c = chart.current;
    const el = box.current;
    if (!ready || !c || !el) return;
    const { __brush, ...opt } = option as Option & { __brush?: [number, number][][] };
    const t0 = performance.now();
    el.removeAttribute("data-drawn");
    const done = () => {
      el.setAttribute("data-render-ms", (performance.now() - t0).toFixed(1));
      el.setAttribute("data-drawn", "");
    };
    c.off("finished");
    c.on("finished", () => {
      c.off("finished");
      done();
    });
    // In a microtask, so a failure is reported through state from a callback, not the effect's body.
    let live = true;
    Promise.resolve()
      .then(() => {
        if (!live) return;
        c.setOption(opt, { notMerge: true, lazyUpdate: false });
        // A stored parallel-axis brush is drawn once the axes exist.
        __brush?.forEach((intervals, axis) => intervals.length && c.dispatchAction({ type: "axisAreaSelect", parallelAxisIndex: axis, intervals }));
        // A brushable scatter starts in rectangle-brush mode (the wheel still zooms).
        if (opt.brush) c.dispatchAction({ type: "takeGlobalCursor", key: "brush", brushOption: { brushType: "rect", brushMode: "single" } });
      })
      .catch((e: unknown) => live && setDrawError({ option, error: e }));
    return () => {
      live = false;
    };
  }, [option, ready]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  return (
    <div className="echart-wrap">
      {error || drawError?.option === option ? <ErrorBanner error={error ?? drawError?.error} /> : null}
      {!ready && !error && <Loading what="Loading chart" />}
      <div ref={box} className="echart" style={{ height }} role="img" aria-label={label} />
    </div>
  );
}
