// A report's media panel (wanllmdb.apis.reports.MediaBrowser, `config.keys`): each key's media for
// every run of the run set that logged it, drawn by the workspace's own media panels (images with
// boxes and masks, audio, video, Html, 3D, plotly, histograms over steps; a logged table as the
// table viewer). One step slider drives them, as in a workspace media section; it starts at the
// pinned `config.step` or the latest step.
import { useMemo, useState } from "react";
import type { Run } from "../../../api/types";
import { ErrorBanner, Loading } from "../../../components/status";
import { unionSteps } from "../../../shaping/media";
import { STEP_AXIS } from "../../../shaping/mediaAxis";
import { MediaBody } from "../../workspace/media/MediaSections";
import { StepSlider } from "../../workspace/media/StepSlider";
import { useSliderStops } from "../../workspace/media/useSliderStops";
import "../../workspace/media/media.css";
import { LoggedTable } from "./LoggedTable";
import { stopIndexAt } from "./panelConfig";
import { useMediaKeys } from "./useMediaKeys";

/** The most runs a media panel shows per key: a report is read on one screen. */
export const MAX_MEDIA_RUNS = 8;

interface Props {
  runs: Run[];
  keys: string[];
  step: number | null;
}

export default function MediaPanel({ runs, keys, step }: Props) {
  const media = useMediaKeys(runs, keys);
  const entries = useMemo(() => media.entries.map((e) => ({ ...e, perRun: e.perRun.slice(0, MAX_MEDIA_RUNS) })), [media.entries]);
  // The slider stops at every step with media other than histograms (those show all steps at once).
  const perRun = useMemo(
    () =>
      runs.flatMap((run) => {
        const lists = entries.flatMap((e) => e.perRun.filter((p) => p.run.id === run.id && p.mk.type !== "histogram").map((p) => p.mk.steps));
        return lists.length ? [{ run, steps: unionSteps(lists) }] : [];
      }),
    [runs, entries],
  );
  const { stops } = useSliderStops(STEP_AXIS, perRun);
  const [chosen, setChosen] = useState<number | null>(null);
  const index = chosen ?? stopIndexAt(stops, step);
  const stop = stops[index];

  if (keys.length === 0) return <div className="panel-empty muted small">Choose the media keys this panel shows.</div>;
  if (media.error) return <ErrorBanner error={media.error} />;
  if (media.pending) return <Loading what="Loading media keys" />;
  if (entries.length === 0) return <div className="panel-empty muted small">No run in this run set logged media under {keys.join(", ")}.</div>;
  return (
    <div className="report-media-panel">
      {stops.length > 1 && <StepSlider stops={stops} axis={STEP_AXIS} index={index} onIndex={setChosen} label={keys.join(", ")} />}
      {entries.map(({ key, perRun: shown }) => (
        <div key={key} className="report-media-key" data-media-key={key}>
          {entries.length > 1 && <div className="small mono">{key}</div>}
          {shown[0].mk.type === "table-file" ? (
            <LoggedTable tableKey={key} runs={shown.map((p) => p.run)} step={stop?.step ?? Number.MAX_SAFE_INTEGER} />
          ) : (
            shown.map(({ run, mk }) => (
              <div key={run.id} className="media-run">
                {runs.length > 1 && <div className="media-run-name small muted">{run.name ?? run.id}</div>}
                <MediaBody run={run} mk={mk} stop={stop} xs={null} axis={STEP_AXIS} />
              </div>
            ))
          )}
        </div>
      ))}
    </div>
  );
}
