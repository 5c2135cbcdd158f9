import { STEP_AXIS } from "../../../shaping/mediaAxis";

interface Props {
  axis: string;
  /** The runs' numeric metric keys (the workspace's line chart keys). */
  keys: readonly string[];
  onAxis: (axis: string) => void;
  label: string;
  loading: boolean;
}

/** Which x a media section's slider walks: the step, or a logged metric such as `epoch`. */
export function AxisSelect({ axis, keys, onAxis, label, loading }: Props) {
  // A saved choice stays listed even when the selected runs no longer log that metric.
  const options = axis === STEP_AXIS || keys.includes(axis) ? keys : [axis, ...keys];
  return (
    <label className="media-axis small muted">
      by{" "}
      <select value={axis} onChange={(e) => onAxis(e.target.value)} aria-label={`Slider axis of ${label}`} aria-busy={loading}>
        <option value={STEP_AXIS}>Step</option>
        {options.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
    </label>
  );
}
