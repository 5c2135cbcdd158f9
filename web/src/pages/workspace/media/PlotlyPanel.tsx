import { useEffect, useRef, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { mediaItemQuery } from "../../../queries/media";
import { ErrorBanner, Loading } from "../../../components/status";
import { loadPlotly, plotlyIfLoaded } from "./plotly/loadPlotly";
import { StepNote } from "./StepNote";

interface Figure {
  data?: unknown[];
  layout?: Record<string, unknown>;
}

const CONFIG = { responsive: true, displaylogo: false };
const MAX_HEIGHT = 480;

/** A logged plotly figure (its plotly JSON from the presigned GET), drawn by plotly.js at the panel's width. */
export function PlotlyPanel({ run, mediaKey, step, requested }: { run: Run; mediaKey: string; step: number; requested: number }) {
  const item = useQuery({ ...mediaItemQuery(run, mediaKey, step), placeholderData: keepPreviousData });
  const d = item.data?.descriptor as { url?: string; sha256?: string } | undefined;
  const fig = useQuery({
    queryKey: ["media-plotly", d?.sha256 ?? d?.url],
    queryFn: async () => {
      const r = await fetch(d!.url!, { credentials: "omit" });
      if (!r.ok) throw new Error(`The figure could not be downloaded (${r.status}).`);
      return (await r.json()) as Figure;
    },
    enabled: !!d?.url,
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
  const ref = useRef<HTMLDivElement>(null);
  const [drawError, setDrawError] = useState<unknown>(null);
  useEffect(() => {
    const el = ref.current;
    const figure = fig.data;
    if (!el || !figure) return;
    let live = true;
    // The panel sets the width; the figure's own height is kept up to MAX_HEIGHT.
    const h = Number(figure.layout?.height);
    const layout = { ...figure.layout, width: undefined, autosize: true, height: h > 0 ? Math.min(h, MAX_HEIGHT) : 320 };
    loadPlotly()
      .then(async (P) => {
        if (!live) return;
        await P.react(el, figure.data ?? [], layout, CONFIG);
        el.setAttribute("data-drawn", "");
        setDrawError(null);
      })
      .catch((e: unknown) => live && setDrawError(e));
    return () => {
      live = false;
    };
  }, [fig.data]);
  useEffect(() => {
    const el = ref.current;
    // Plotly's listeners and WebGL contexts on the div go with it.
    return () => {
      if (el) plotlyIfLoaded()?.purge(el);
    };
  }, []);
  const error = item.error ?? fig.error ?? drawError;
  return (
    <div className="media-plotly" data-run={run.id}>
      <StepNote shown={item.data?.step ?? step} requested={requested} />
      {error ? <ErrorBanner error={error} /> : null}
      {!fig.data && !error && <Loading what="Loading figure" />}
      <div ref={ref} className="media-plotly-plot" aria-label={`${mediaKey} (${run.name ?? run.id})`} />
    </div>
  );
}
