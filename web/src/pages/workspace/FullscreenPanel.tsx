import type { PanelDef } from "./PanelSection";

/** One panel over the whole window, with a Close button. */
export function FullscreenPanel({ panel, onClose }: { panel: PanelDef; onClose: () => void }) {
  return (
    <div className="fullscreen" role="dialog" aria-label={panel.title}>
      <div className="fullscreen-head">
        <span>{panel.title}</span>
        <button className="btn" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="fullscreen-body">{panel.body}</div>
    </div>
  );
}
