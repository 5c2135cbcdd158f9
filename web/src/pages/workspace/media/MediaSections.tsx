import { useCallback, useMemo, useState } from "react";
import type { MediaKey } from "../../../api/media";
import type { Run } from "../../../api/types";
import { unionSteps } from "../../../shaping/media";
import { shownAt, STEP_AXIS, stopLabel, xAt, type Stop, type StepX } from "../../../shaping/mediaAxis";
import type { PanelConfig } from "../../../shaping/view";
import { groupKeys } from "../sections";
import { AxisSelect } from "./AxisSelect";
import { HistogramPanel } from "./HistogramPanel";
import { HtmlPanel } from "./HtmlPanel";
import { ImagePanel } from "./ImagePanel";
import { LazyMount } from "./LazyMount";
import { Object3DPanel } from "./Object3DPanel";
import { PlayerPanel } from "./PlayerPanel";
import { PlotlyPanel } from "./PlotlyPanel";
import { StepSlider } from "./StepSlider";
import { TablePanel } from "./TablePanel";
import { useSliderStops } from "./useSliderStops";
import "./media.css";

export interface MediaSectionsProps {
  runs: Run[];
  /** Each run's media keys (GET /runs/{id}/media), by run id. */
  keysByRun: Record<string, MediaKey[]>;
  /** The runs' metric keys, any of which a section's slider can walk instead of _step. */
  metricKeys: string[];
  /** The view's per-panel settings: a section's slider axis is under its id ("media:<title>"). */
  panelConfig: Record<string, PanelConfig>;
  onSlider: (section: string, axis: string | undefined) => void;
}

const IMAGE_TYPES = new Set(["image-file", "gallery"]);

/** The media of the selected runs, one section per key prefix, each with one step slider driving all its panels. */
export default function MediaSections(props: MediaSectionsProps) {
  const { keysByRun } = props;
  const keys = useMemo(() => [...new Set(Object.values(keysByRun).flatMap((ks) => ks.map((k) => k.key)))].sort(), [keysByRun]);
  return (
    <>
      {groupKeys(keys).map(([title, ks]) => (
        <MediaSection key={title} title={title} keys={ks} {...props} />
      ))}
    </>
  );
}

function MediaSection({ title, keys, runs, keysByRun, metricKeys, panelConfig, onSlider }: { title: string; keys: string[] } & MediaSectionsProps) {
  const id = `media:${title}`;
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
  const perRun = useMemo(
    () =>
      runs.flatMap((run) => {
        const lists = entries.flatMap((e) => e.perRun.filter((p) => p.run.id === run.id && p.mk.type !== "histogram").map((p) => p.mk.steps));
        return lists.length ? [{ run, steps: unionSteps(lists) }] : [];
      }),
    [entries, runs],
  );
  const axis = panelConfig[id]?.slider ?? STEP_AXIS;
  const { stops, xsByRun, shownAxis, loading } = useSliderStops(axis, perRun);
  const [chosen, setChosen] = useState<number | null>(null);
  // Until the user moves it, the slider sits on the latest stop (and follows new ones).
  const index = chosen == null ? stops.length - 1 : Math.min(chosen, stops.length - 1);
  const onIndex = useCallback((i: number) => setChosen(i), []);
  const onAxis = (a: string) => {
    setChosen(null);
    onSlider(id, a === STEP_AXIS ? undefined : a);
  };
  const stop = stops[index];
  return (
    <section className="ws-section media-section" data-section={id}>
      <div className="media-section-head">
        <button className="ws-section-head" onClick={() => setCollapsed((c) => !c)} aria-expanded={!collapsed}>
          <span className={`caret${collapsed ? "" : " open"}`}>▸</span>
          {title} <span className="muted small">media · {keys.length}</span>
        </button>
        {!collapsed && stops.length > 1 && (
          <>
            <StepSlider stops={stops} axis={shownAxis} index={index} onIndex={onIndex} label={title} />
            {metricKeys.length > 0 && <AxisSelect axis={axis} keys={metricKeys} onAxis={onAxis} label={title} loading={loading} />}
          </>
        )}
      </div>
      {!collapsed && (
        <div className="media-panels">
          {entries.map(({ key, perRun }) =>
            perRun[0]?.mk.type === "table-file" ? (
              // One viewer for every run that logged the table, so they can be compared.
              <div key={key} className="panel media-panel media-panel-wide" data-panel={`media:${key}`}>
                <div className="panel-head">
                  <span className="panel-title">{key}</span>
                </div>
                <div className="panel-body">
                  <LazyMount minHeight={300}>
                    <TablePanel tableKey={key} perRun={perRun} stop={stop} />
                  </LazyMount>
                </div>
              </div>
            ) : (
            <div key={key} className="panel media-panel" data-panel={`media:${key}`}>
              <div className="panel-head">
                <span className="panel-title">{key}</span>
              </div>
              <div className="panel-body">
                <LazyMount minHeight={180}>
                  {perRun.map(({ run, mk }) => (
                    <div key={run.id} className="media-run">
                      {runs.length > 1 && <div className="media-run-name small muted">{run.name ?? run.id}</div>}
                      <MediaBody run={run} mk={mk} stop={stop} xs={xsByRun.get(run.id) ?? null} axis={shownAxis} />
                    </div>
                  ))}
                </LazyMount>
              </div>
            </div>
            ),
          )}
        </div>
      )}
    </section>
  );
}

/** One run's media of one key at the slider's stop (a report's media panel draws these too). */
export function MediaBody({ run, mk, stop, xs, axis }: { run: Run; mk: MediaKey; stop: Stop | undefined; xs: StepX | null; axis: string }) {
  if (mk.type === "histogram") return <HistogramPanel run={run} mediaKey={mk.key} step={stop?.step} />;
  // The step this key shows: its last one at or before the slider's stop (in the axis' order).
  const shown = stop ? shownAt(mk.steps, xs, stop) : mk.steps[mk.steps.length - 1];
  if (shown == null) return <div className="panel-empty small muted">No media at or before {stopLabel(axis, stop)}.</div>;
  // Panels note an earlier step when this key has none at the stop: on a metric axis, none at its value.
  const exact = !stop || (xs ? xAt(xs, shown) === stop.x : shown === stop.step);
  const requested = exact ? shown : stop.step;
  const kind = mk.type === "gallery" ? (mk.item_type ?? "") : mk.type;
  const props = { run, mediaKey: mk.key, step: shown, requested };
  if (IMAGE_TYPES.has(mk.type) && (mk.type !== "gallery" || kind === "image-file")) return <ImagePanel {...props} />;
  if (kind === "html-file") return <HtmlPanel {...props} />;
  if (kind === "audio-file" || kind === "video-file") return <PlayerPanel {...props} />;
  if (kind === "object3D-file") return <Object3DPanel {...props} />;
  if (kind === "plotly-file") return <PlotlyPanel {...props} />;
  return (
    <div className="panel-empty small muted" data-media-type={kind}>
      {kind} panels are not drawn yet; the media is in the run&apos;s history.
    </div>
  );
}
