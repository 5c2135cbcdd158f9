// A custom chart from a spec and its rows: the option is built by pure shaping code; what cannot be
// drawn (a mapped column the data lacks, no rows, a looping sankey) is said in the panel instead of
// leaving it blank.
import { useEffect, useMemo, useState } from "react";
import type { ChartSpec } from "../shaping/chartSpec";
import { buildChart, type BuildContext } from "../shaping/chartOptions";
import type { Frame } from "../shaping/frame";
import EChart, { type EChartHandlers } from "./EChart";
import { loadWorld } from "./echarts/load";

interface Props extends EChartHandlers {
  spec: ChartSpec;
  frame: Frame;
  rows: readonly number[];
  ctx?: Omit<BuildContext, "countries">;
  label: string;
}

function buildTimed(...args: Parameters<typeof buildChart>) {
  const t0 = performance.now();
  const built = buildChart(...args);
  return { built, ms: performance.now() - t0 };
}

export default function ChartView({ spec, frame, rows, ctx, label, ...handlers }: Props) {
  const [countries, setCountries] = useState<ReadonlySet<string> | undefined>();
  const geo = spec.type === "geo";
  useEffect(() => {
    if (!geo) return;
    let live = true;
    void loadWorld().then((c) => live && setCountries(c), () => undefined);
    return () => {
      live = false;
    };
  }, [geo]);
  // How long the option took to build rides along with the chart (data-build-ms), for the timing tests.
  const { built, ms } = useMemo(() => buildTimed(spec, frame, rows, { ...ctx, countries }), [spec, frame, rows, ctx, countries]);
  if ("error" in built)
    return (
      <div className="chart-problem" role="alert" data-chart-problem="">
        {built.error}
      </div>
    );
  return (
    <div className="chart-view" data-chart-type={spec.type} data-build-ms={ms.toFixed(1)} data-rows={rows.length}>
      {built.notes.length > 0 && <div className="chart-notes small muted">{built.notes.join(" ")}</div>}
      <EChart option={built.option} gl={built.gl} geo={built.geo} label={label} {...handlers} />
    </div>
  );
}
