// Distribution of one value across runs, as bars.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { histogram } from "../shaping/histogram";
import { formatValue } from "../shaping/fields";
import { useSize } from "./useSize";

export default function HistogramChart({ values, label, bins = 20 }: { values: number[]; label: string; bins?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(box);
  useEffect(() => {
    if (!box.current || width === 0) return;
    const h = histogram(values, bins);
    const mids = h.x0.map((a, i) => (a + h.x1[i]) / 2);
    const u = new uPlot(
      {
        width,
        height: Math.max(80, height),
        legend: { show: false },
        scales: { x: { time: false } },
        series: [
          { label },
          { label: "runs", stroke: "#2f80ed", fill: "rgba(47,128,237,0.35)", paths: uPlot.paths.bars!({ size: [0.95, 100] }), points: { show: false } },
        ],
        axes: [
          { label, stroke: "#666", grid: { show: false }, values: (_u, v) => v.map((n) => formatValue(n)) },
          { label: "runs", stroke: "#666", grid: { stroke: "#eee" } },
        ],
      },
      [mids, h.count],
      box.current,
    );
    u.root.dataset.drawn = "1";
    return () => u.destroy();
  }, [values, width, height, label, bins]);
  return <div className="plot-box" ref={box} />;
}
