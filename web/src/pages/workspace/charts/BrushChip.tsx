import { brushIsEmpty, describeBrush, type RunBrush } from "../../../shaping/brush";

/** Says which runs a brush keeps, with a button that clears it. */
export function BrushChip({ brush, onClear, shown, of }: { brush: RunBrush; onClear: () => void; shown: number; of: number }) {
  if (brushIsEmpty(brush)) return null;
  const text = describeBrush(brush);
  return (
    <span className="brush-chip" role="status" title={text} data-brushed={shown}>
      <span>
        Brushed: {text} ({shown} of {of} runs)
      </span>
      <button className="icon-btn" onClick={onClear} aria-label="Clear brush">
        ✕
      </button>
    </span>
  );
}
