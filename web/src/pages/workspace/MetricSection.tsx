import { useEffect, useMemo, useRef, useState } from "react";
import type { Run } from "../../api/types";
import { ErrorBanner } from "../../components/status";
import { FullscreenPanel } from "./FullscreenPanel";
import { PanelSection, type PanelDef } from "./PanelSection";
import type { SectionGate } from "./sectionGate";
import type { RunSeries } from "./useMetricData";
import { useInView } from "./useInView";
import { useSectionData } from "./useSectionData";
import { useSectionBand } from "./useSectionBand";
import type { OthersBand } from "./MetricPanel";
import type { PanelBox } from "../../shaping/view";

interface Props {
  title: string;
  keys: string[];
  projectId: string;
  runs: Run[];
  /** The selected runs past `runs`, drawn as one band per chart (none: no band). */
  band: string[];
  /** Some band run is still running: the band is asked for again every few seconds. */
  bandLive: boolean;
  /** The view's x parameter (step, ts or a metric). */
  x: string;
  isLive: (r: Run) => boolean;
  /** False when the panels draw something else (the server's group bands): nothing is fetched. */
  load: boolean;
  /** A line panel for `key`, drawn from `data` and `band` (`pending` until the section's data has arrived). */
  panel: (key: string, data: RunSeries, pending: boolean, band: OthersBand | undefined) => PanelDef;
  gate: SectionGate;
  layout: Record<string, PanelBox>;
  collapsed: boolean;
  onToggle: () => void;
  onLayout: (boxes: Record<string, PanelBox>) => void;
  fullscreen: string | null;
  onFullscreen: (id: string | null) => void;
}

/** About the height of `n` panels three to a row (sections.ts's default boxes), before they are laid out. */
const placeholderHeight = (n: number) => Math.ceil(n / 3) * 370;

/**
 * A section of line charts (one key prefix) that loads its own data: one batch request for all its
 * panels and runs, made only while the section is on screen and open (and after the topmost
 * section on screen has drawn, see useSectionGate).
 */
export function MetricSection({ title, keys, projectId, runs, band, bandLive, x, isLive, load, panel, gate, fullscreen, onFullscreen, ...section }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const onScreen = useInView(ref);
  // Panels are laid out once the section has been on screen, and then kept.
  const [seenOnce, setSeenOnce] = useState(false);
  if (onScreen && !seenOnce) setSeenOnce(true);
  const { seen, drawn } = gate;
  // A collapsed section on screen wants nothing, so it never holds back the sections below it.
  const wants = load && !section.collapsed && onScreen;
  useEffect(() => {
    seen(title, wants);
    return () => seen(title, false);
  }, [seen, title, wants]);
  const enabled = wants && gate.may(title);
  const q = useSectionData(projectId, runs, keys, x, isLive, enabled);
  const b = useSectionBand(projectId, runs, band, keys, x, bandLive, enabled);
  useEffect(() => {
    if (q.loaded) drawn();
  }, [q.loaded, drawn]);
  const pending = load && !(q.loaded && b.loaded);
  const panels = useMemo(() => keys.map((k) => panel(k, q.data, pending, b.bands[k])), [keys, panel, q.data, pending, b.bands]);
  const big = panels.find((p) => p.id === fullscreen);
  return (
    <div ref={ref} className="ws-metric-section" data-section-fetch={enabled ? "on" : "off"} data-section-loaded={q.loaded ? "1" : "0"}>
      <ErrorBanner error={q.error ?? b.error} />
      {q.warnings.length > 0 && (
        <div className="warning-banner" role="status">
          Some metric data could not be read and is missing from these charts: {q.warnings.join("; ")}
        </div>
      )}
      <PanelSection
        // Mounted afresh when its grid first appears: react-grid-layout's useContainerWidth watches
        // the container it found on mount, and a placeholder or a collapsed section has none.
        key={seenOnce && !section.collapsed ? "grid" : "box"}
        title={title}
        panels={panels}
        onFullscreen={onFullscreen}
        placeholderHeight={seenOnce ? undefined : placeholderHeight(keys.length)}
        {...section}
      />
      {big && <FullscreenPanel panel={big} onClose={() => onFullscreen(null)} />}
    </div>
  );
}
