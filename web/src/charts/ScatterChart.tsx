// Points of one value against another across runs (e.g. config.lr vs summary.loss).
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatValue } from "../shaping/fields";
import { useSize } from "./useSize";

export interface ScatterPoint {
  x: number;
  y: number;
  color: string;
  label: string;
}

export default function ScatterChart({ points, xLabel, yLabel }: { points: ScatterPoint[]; xLabel: string; yLabel: string }) {
  const box = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(box);
  useEffect(() => {
    if (!box.current || width === 0) return;
    const pts = [...points].sort((a, b) => a.x - b.x);
    const u = new uPlot(
      {
        width,
        height: Math.max(80, height),
        legend: { show: false },
        cursor: { points: { show: false } },
        scales: { x: { time: false } },
        series: [
          { label: xLabel },
          {
            label: yLabel,
            stroke: "#2f80ed",
            paths: () => null,
            points: { show: true, size: 7, fill: "rgba(47,128,237,0.7)" },
          },
        ],
        axes: [
          { label: xLabel, stroke: "#666", grid: { stroke: "#eee" }, size: 40 },
          { label: yLabel, stroke: "#666", grid: { stroke: "#eee" }, values: (_u, v) => v.map((n) => formatValue(n)) },
        ],
      },
      [pts.map((p) => p.x), pts.map((p) => p.y)],
      box.current,
    );
    u.root.dataset.drawn = "1";
    return () => u.destroy();
  }, [points, width, height, xLabel, yLabel]);
  return <div className="plot-box" ref={box} />;
}
