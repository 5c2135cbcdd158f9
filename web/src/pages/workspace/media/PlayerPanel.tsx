import { useEffect, useRef } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Run } from "../../../api/types";
import { mediaItemQuery } from "../../../queries/media";
import { ErrorBanner } from "../../../components/status";
import { StepNote } from "./StepNote";

interface PlayerDescriptor {
  _type: string;
  url?: string;
  caption?: string;
  format?: string;
  sample_rate?: number;
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
}

/** Audio (a player and its waveform) or video (a player; a GIF as an image) of one key at one step. */
export function PlayerPanel({ run, mediaKey, step, requested }: { run: Run; mediaKey: string; step: number; requested: number }) {
  const q = useQuery({ ...mediaItemQuery(run, mediaKey, step), placeholderData: keepPreviousData });
  if (q.error && !q.data) return <ErrorBanner error={q.error} />;
  const d = q.data?.descriptor as PlayerDescriptor | undefined;
  const items = !d ? [] : d._type === "gallery" ? ((d as unknown as { items?: PlayerDescriptor[] }).items ?? []) : [d];
  return (
    <div className="media-players" data-run={run.id}>
      <StepNote shown={q.data?.step ?? step} requested={requested} />
      {items.map((it, i) => (
        <figure key={`${it.url}-${i}`} className="media-figure">
          {it._type === "audio-file" ? (
            <>
              <Waveform url={it.url} />
              <audio controls preload="metadata" src={it.url} />
            </>
          ) : it._type === "video-file" && it.format === "gif" ? (
            <img src={it.url} alt={it.caption ?? mediaKey} />
          ) : it._type === "video-file" ? (
            <video controls loop muted preload="metadata" src={it.url} width={it.width} />
          ) : null}
          {it.caption && <figcaption>{it.caption}</figcaption>}
        </figure>
      ))}
    </div>
  );
}

const WAVE_W = 320;
const WAVE_H = 48;

/** Min/max of the first channel per pixel column, decoded in the browser from the presigned GET. */
function Waveform({ url }: { url?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const wave = useQuery({
    queryKey: ["media-waveform", url],
    enabled: !!url && typeof OfflineAudioContext !== "undefined",
    staleTime: Infinity,
    queryFn: async () => {
      const bytes = await (await fetch(url!, { credentials: "omit" })).arrayBuffer();
      const ctx = new OfflineAudioContext(1, 1, 44100);
      const buf = await ctx.decodeAudioData(bytes);
      const data = buf.getChannelData(0);
      const per = Math.max(1, Math.floor(data.length / WAVE_W));
      const cols: [number, number][] = [];
      for (let x = 0; x < WAVE_W && x * per < data.length; x++) {
        let lo = 0;
        let hi = 0;
        for (let i = x * per; i < Math.min(data.length, (x + 1) * per); i++) {
          if (data[i] < lo) lo = data[i];
          if (data[i] > hi) hi = data[i];
        }
        cols.push([lo, hi]);
      }
      return cols;
    },
  });
  useEffect(() => {
    const c = ref.current?.getContext("2d");
    if (!c || !wave.data) return;
    c.clearRect(0, 0, WAVE_W, WAVE_H);
    c.fillStyle = "#3b6fb6";
    wave.data.forEach(([lo, hi], x) => {
      const y0 = ((1 - hi) / 2) * WAVE_H;
      const y1 = ((1 - lo) / 2) * WAVE_H;
      c.fillRect(x, y0, 1, Math.max(1, y1 - y0));
    });
  }, [wave.data]);
  if (wave.error) return null; // a format the browser cannot decode still gets its player
  return <canvas ref={ref} className="media-wave" width={WAVE_W} height={WAVE_H} data-drawn={wave.data ? "" : undefined} aria-hidden="true" />;
}
