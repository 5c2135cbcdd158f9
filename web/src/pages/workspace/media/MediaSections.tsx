import { useCallback, useMemo, useState } from "react";
import type { MediaKey } from "../../../api/media";
import type { Run } from "../../../api/types";
import { nearestAtOrBefore, unionSteps } from "../../../shaping/media";
import { groupKeys } from "../sections";
import { HistogramPanel } from "./HistogramPanel";
import { HtmlPanel } from "./HtmlPanel";
import { ImagePanel } from "./ImagePanel";
import { LazyMount } from "./LazyMount";
import { Object3DPanel } from "./Object3DPanel";
import { PlayerPanel } from "./PlayerPanel";
import { PlotlyPanel } from "./PlotlyPanel";
import { StepSlider } from "./StepSlider";
import "./media.css";

export interface MediaSectionsProps {
  runs: Run[];
  /** Each run's media keys (GET /runs/{id}/media), by run id. */
  keysByRun: Record<string, MediaKey[]>;
}

const IMAGE_TYPES = new Set(["image-file", "gallery"]);

/** The media of the selected runs, one section per key prefix, each with one step slider driving all its panels. */
export default function MediaSections({ runs, keysByRun }: MediaSectionsProps) {
  const keys = useMemo(() => [...new Set(Object.values(keysByRun).flatMap((ks) => ks.map((k) => k.key)))].sort(), [keysByRun]);
  return (
    <>
      {groupKeys(keys).map(([title, ks]) => (
        <MediaSection key={title} title={title} keys={ks} runs={runs} keysByRun={keysByRun} />
      ))}
    </>
  );
}

function MediaSection({ title, keys, runs, keysByRun }: { title: string; keys: string[] } & MediaSectionsProps) {
  const [collapsed, setCollapsed] = useState(false);
  const entries = useMemo(
    () =>
      keys.map((key) => ({
        key,
        perRun: runs.flatMap((run) => {
          const mk = keysByRun[run.id]?.find((k) => k.key === key);
          return mk ? [{ run, mk }] : [];
        }),
      })),
    [keys, runs, keysByRun],
  );
  // The slider stops at every step that has media other than histograms (those show all steps at once).
  const steps = useMemo(
    () => unionSteps(entries.flatMap((e) => e.perRun.filter((p) => p.mk.type !== "histogram").map((p) => p.mk.steps))),
    [entries],
  );
  const [chosen, setChosen] = useState<number | null>(null);
  // Until the user moves it, the slider sits on the latest step (and follows new ones).
  const index = chosen == null ? steps.length - 1 : Math.min(chosen, steps.length - 1);
  const onIndex = useCallback((i: number) => setChosen(i), []);
  const step = steps[index];
  return (
    <section className="ws-section media-section" data-section={`media:${title}`}>
      <div className="media-section-head">
        <button className="ws-section-head" onClick={() => setCollapsed((c) => !c)} aria-expanded={!collapsed}>
          <span className={`caret${collapsed ? "" : " open"}`}>▸</span>
          {title} <span className="muted small">media · {keys.length}</span>
        </button>
        {!collapsed && steps.length > 1 && <StepSlider steps={steps} index={index} onIndex={onIndex} label={title} />}
      </div>
      {!collapsed && (
        <div className="media-panels">
          {entries.map(({ key, perRun }) => (
            <div key={key} className="panel media-panel" data-panel={`media:${key}`}>
              <div className="panel-head">
                <span className="panel-title">{key}</span>
              </div>
              <div className="panel-body">
                <LazyMount minHeight={180}>
                  {perRun.map(({ run, mk }) => (
                    <div key={run.id} className="media-run">
                      {runs.length > 1 && <div className="media-run-name small muted">{run.name ?? run.id}</div>}
                      <MediaBody run={run} mk={mk} step={step} />
                    </div>
                  ))}
                </LazyMount>
              </div>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

function MediaBody({ run, mk, step }: { run: Run; mk: MediaKey; step: number | undefined }) {
  if (mk.type === "histogram") return <HistogramPanel run={run} mediaKey={mk.key} step={step} />;
  const requested = step ?? mk.steps[mk.steps.length - 1];
  // The step this key shows: the slider's, or this key's nearest earlier one (asked for by that step, so it is cached once).
  const shown = nearestAtOrBefore(mk.steps, requested);
  if (shown == null) return <div className="panel-empty small muted">No media at or before step {requested}.</div>;
  const kind = mk.type === "gallery" ? (mk.item_type ?? "") : mk.type;
  if (IMAGE_TYPES.has(mk.type) && (mk.type !== "gallery" || kind === "image-file"))
    return <ImagePanel run={run} mediaKey={mk.key} step={shown} requested={requested} />;
  if (kind === "html-file") return <HtmlPanel run={run} mediaKey={mk.key} step={shown} requested={requested} />;
  if (kind === "audio-file" || kind === "video-file") return <PlayerPanel run={run} mediaKey={mk.key} step={shown} requested={requested} />;
  if (kind === "object3D-file") return <Object3DPanel run={run} mediaKey={mk.key} step={shown} requested={requested} />;
  if (kind === "plotly-file") return <PlotlyPanel run={run} mediaKey={mk.key} step={shown} requested={requested} />;
  return (
    <div className="panel-empty small muted" data-media-type={kind}>
      {kind} panels are not drawn yet; the media is in the run&apos;s history.
    </div>
  );
}
