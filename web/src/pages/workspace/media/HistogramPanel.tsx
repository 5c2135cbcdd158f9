import { useEffect, useMemo, useRef } from "react";
import { useQuery } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { histogramsQuery } from "../../../queries/media";
import { heatmap, level } from "../../../shaping/media";
import { ErrorBanner, Loading } from "../../../components/status";

const CELLS = 64;

/** A histogram key over steps: one column per step, value cells up, colour by density (1st–99th percentile range). */
export function HistogramPanel({ run, mediaKey, step }: { run: Run; mediaKey: string; step?: number }) {
  const q = useQuery(histogramsQuery(run, mediaKey));
  const map = useMemo(() => (q.data ? heatmap(q.data.steps, CELLS) : null), [q.data]);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !map || map.rows.length === 0) return;
    canvas.width = map.rows.length;
    canvas.height = CELLS;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    const img = ctx.createImageData(map.rows.length, CELLS);
    map.rows.forEach((row, x) =>
      row.forEach((v, c) => {
        const t = level(v, map.vmin, map.vmax);
        const i = ((CELLS - 1 - c) * map.rows.length + x) * 4;
        // white -> deep blue
        img.data[i] = Math.round(255 - 230 * t);
        img.data[i + 1] = Math.round(255 - 180 * t);
        img.data[i + 2] = Math.round(255 - 60 * t);
        img.data[i + 3] = 255;
      }),
    );
    ctx.putImageData(img, 0, 0);
  }, [map]);
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!map) return <Loading what="Loading histograms" />;
  if (map.rows.length === 0) return <div className="panel-empty muted small">No histograms under this key.</div>;
  const first = map.steps[0];
  const lastStep = map.steps[map.steps.length - 1];
  const marker = step != null && lastStep > first ? ((step - first) / (lastStep - first)) * 100 : null;
  return (
    <div className="media-heatmap" data-run={run.id} data-steps={map.steps.length}>
      <div className="media-heatmap-plot">
        <span className="axis-y mono small">{fmt(map.hi)}</span>
        <div className="media-heatmap-canvas">
          <canvas ref={ref} role="img" aria-label={`${mediaKey}: ${map.steps.length} histograms from step ${first} to ${lastStep}`} />
          {marker != null && marker >= 0 && marker <= 100 && <div className="media-heatmap-marker" style={{ left: `${marker}%` }} />}
        </div>
        <span className="axis-y-lo mono small">{fmt(map.lo)}</span>
      </div>
      <div className="media-heatmap-x mono small">
        <span>step {first}</span>
        <span>step {lastStep}</span>
      </div>
    </div>
  );
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Math.round(v * 1000) / 1000));
