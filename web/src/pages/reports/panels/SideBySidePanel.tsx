// A report's side-by-side panel: one small line chart per chosen run (`config.runs`, else every run
// of the run set) of the chosen metrics (`config.keys`), all on ONE x range: the union of their data,
// or the range dragged on any of them, which zooms them all (a double click goes back). A zoomed
// range is read again at full resolution and spliced in, as a workspace panel does.
import { useCallback, useMemo, useState } from "react";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import { runName } from "../../../api/runs";
import type { Run } from "../../../api/types";
import { LineChart, type LineRun } from "../../../charts/LineChart";
import { metricRangeQuery } from "../../../queries/metrics";
import { colorOf } from "../../../shaping/colors";
import { spliceRange, type Series } from "../../../shaping/series";
import { formatterFor } from "../../../shaping/units";
import type { RunSeries } from "../../workspace/useMetricData";
import { pickRuns } from "./panelConfig";
import { sharedRange, unionRange, type Range } from "./sharedRange";

/** The most runs drawn side by side: more charts would be too small to read. */
export const MAX_SIDE_BY_SIDE = 12;

interface Props {
  /** The run set's runs. */
  runs: Run[];
  /** The runs to draw, by id (config.runs); none: every run. */
  ids: string[];
  keys: string[];
  series: RunSeries;
  colors: Record<string, number>;
  smoothing: number;
  logY: boolean;
}

const pairId = (run: string, key: string) => `${run}\n${key}`;

/** A list that keeps its identity while its items do (a panel's config hands over new lists each render). */
function useStableList(items: string[]): string[] {
  const sig = items.join("\n");
  return useMemo(() => (sig ? sig.split("\n") : []), [sig]);
}

export default function SideBySidePanel({ runs: setRuns, ids: idList, keys: keyList, series, colors, smoothing, logY }: Props) {
  const ids = useStableList(idList);
  const keys = useStableList(keyList);
  const all = useMemo(() => pickRuns(setRuns, ids), [setRuns, ids]);
  const runs = useMemo(() => all.slice(0, MAX_SIDE_BY_SIDE), [all]);
  const [zoom, setZoom] = useState<Range | null>(null);
  const pairs = useMemo(() => runs.flatMap((run) => keys.filter((k) => (series[run.id]?.[k]?.x.length ?? 0) > 0).map((key) => ({ run, key }))), [runs, keys, series]);
  const union = useMemo(() => unionRange(pairs.map((p) => series[p.run.id][p.key])), [pairs, series]);
  const range = sharedRange(union, zoom);
  const zoomed = zoom && range;
  const combine = useCallback(
    (results: UseQueryResult<Series>[]) => Object.fromEntries(pairs.flatMap((p, i) => (results[i]?.data ? [[pairId(p.run.id, p.key), results[i].data]] : []))),
    [pairs],
  );
  const detail: Record<string, Series> = useQueries({ queries: zoomed ? pairs.map((p) => metricRangeQuery(p.run, p.key, "step", zoomed[0], zoomed[1])) : [], combine });
  const charts = useMemo(
    () =>
      runs.map((run) => ({
        run,
        lines: keys.flatMap((key, i): LineRun[] => {
          let s = series[run.id]?.[key];
          if (!s || s.x.length === 0) return [];
          const d = detail[pairId(run.id, key)];
          if (zoomed && d) s = spliceRange(s, d, zoomed[0], zoomed[1]);
          // One metric: the run's colour, as everywhere else; several: one colour per metric, the same in every chart.
          return [{ id: key, label: key, color: keys.length > 1 ? colorOf(i) : colorOf(colors[run.id]), series: s }];
        }),
      })),
    [runs, keys, series, detail, zoomed, colors],
  );
  const format = useMemo(() => formatterFor(keys[0] ?? ""), [keys]);
  const onZoom = useCallback((lo: number, hi: number) => setZoom([lo, hi]), []);
  const onReset = useCallback(() => setZoom(null), []);

  if (keys.length === 0) return <div className="panel-empty muted small">Choose the metrics to compare side by side.</div>;
  if (runs.length === 0) return <div className="panel-empty muted small">None of the chosen runs is in this run set.</div>;
  if (!range) return <div className="panel-empty muted small">No chosen run has {keys.join(", ")}.</div>;
  return (
    <>
    {all.length > runs.length && <div className="small muted">The first {runs.length} of {all.length} runs.</div>}
    <div className="report-sbs" data-range={`${range[0]},${range[1]}`} data-zoomed={zoom ? "1" : "0"}>
      {charts.map(({ run, lines }) => (
        <div key={run.id} className="report-sbs-cell" data-run={run.id}>
          <div className="report-sbs-name small" title={runName(run)}>
            <i className="swatch" style={{ background: colorOf(colors[run.id]) }} />
            {runName(run)}
          </div>
          {lines.length === 0 ? (
            <div className="panel-empty muted small">No data for {keys.join(", ")}</div>
          ) : (
            <LineChart runs={lines} xKind="number" xLabel="Step" smoothing={smoothing} logY={logY} range={range} onZoom={onZoom} onReset={onReset} hideSingleLegend format={format} />
          )}
        </div>
      ))}
    </div>
    </>
  );
}
