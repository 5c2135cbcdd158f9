/** Says which step a panel shows when the slider's step has no media of its own. */
export function StepNote({ shown, requested }: { shown: number; requested: number }) {
  if (shown === requested) return null;
  return (
    <div className="media-note small muted" data-shown-step={shown}>
      step {shown} (nearest earlier step with media; none at {requested})
    </div>
  );
}
