import { useEffect, useState } from "react";
import { stopLabel, type Stop } from "../../../shaping/mediaAxis";

interface Props {
  stops: readonly Stop[];
  /** The axis the stops are ordered by: "_step" or a metric, for the label ("step 10", "epoch 3"). */
  axis: string;
  index: number;
  onIndex: (i: number) => void;
  label: string;
}

export const PLAY_MS = 600;

/** One slider over a section's media steps: arrow keys (the native range input's), Home/End, and play. */
export function StepSlider({ stops, axis, index, onIndex, label }: Props) {
  const [playing, setPlaying] = useState(false);
  const last = stops.length - 1;
  useEffect(() => {
    if (!playing) return;
    const t = setInterval(() => onIndex(index >= last ? 0 : index + 1), PLAY_MS);
    return () => clearInterval(t);
  }, [playing, index, last, onIndex]);
  const text = stopLabel(axis, stops[index]);
  return (
    <div className="media-slider">
      <button
        type="button"
        className="icon-btn"
        aria-label={playing ? `Pause ${label}` : `Play ${label}`}
        aria-pressed={playing}
        onClick={() => setPlaying((p) => !p)}
      >
        {playing ? "❚❚" : "▶"}
      </button>
      <input
        type="range"
        min={0}
        max={Math.max(0, last)}
        step={1}
        value={index}
        aria-label={`Step of ${label}`}
        aria-valuetext={text}
        onChange={(e) => onIndex(Number(e.target.value))}
      />
      <span className="mono small" data-step={stops[index]?.step} title={`step ${stops[index]?.step}`}>
        {text}
      </span>
    </div>
  );
}
