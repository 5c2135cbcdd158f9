import { memo, useMemo } from "react";
import type { GroupBand } from "../../api/metrics";
import { LineChart, type LineRun } from "../../charts/LineChart";
import { bandSeries, groupLabel } from "../../shaping/bands";
import { colorOf } from "../../shaping/colors";
import { relativeX } from "../../shaping/series";
import type { BandKind, XAxis } from "../../shaping/view";

interface Props {
  metric: string;
  groups: GroupBand[];
  band: BandKind;
  x: XAxis;
  smoothing: number;
  logY: boolean;
}

const xKindOf = (x: XAxis) => (x === "ts" ? "time" : x === "relative" ? "seconds" : "number");
const xLabelOf = (x: XAxis) => (x === "ts" ? "Time" : x === "relative" ? "Relative time" : x === "step" ? "Step" : x.slice(7));
const noop = () => {};

/** One metric with one line per group of runs: the group's mean over its min–max (or ±std) band. */
export const GroupPanel = memo(function GroupPanel({ metric, groups, band, x, smoothing, logY }: Props) {
  const lines = useMemo<LineRun[]>(
    () =>
      groups.map((g, i) => {
        let s = bandSeries(g.series[metric], band);
        if (x === "relative") s = relativeX(s);
        return { id: `group:${JSON.stringify(g.value ?? null)}`, label: groupLabel(g.value, g.runs.length), color: colorOf(i), series: s };
      }),
    [groups, metric, band, x],
  );
  const drawn = lines.filter((l) => l.series.x.length > 0);
  return (
    <div className="metric-panel" data-metric={metric} data-grouped={groups.length} data-loaded={drawn.length}>
      {drawn.length === 0 ? (
        <div className="panel-empty muted small">No data for the selected runs</div>
      ) : (
        <LineChart runs={drawn} xKind={xKindOf(x)} xLabel={xLabelOf(x)} smoothing={smoothing} logY={logY} range={null} onZoom={noop} onReset={noop} />
      )}
    </div>
  );
});
