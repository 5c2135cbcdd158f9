// A report's parallel coordinates panel over the run set's runs, drawn as the workspace's custom
// chart of type "parallel" is.
import { useMemo } from "react";
import type { Run } from "../../../api/types";
import type { ChartSpec } from "../../../shaping/chartSpec";
import { valueOf } from "../../table/columns";
import { empty, RunsChart } from "./CustomChartPanel";
import { resolveField } from "./panelConfig";

/**
 * Parallel coordinates over the run set's runs (ParallelCoordinatesPlot, `config.keys`): one axis
 * per field in order, lines coloured by the last. A bare name is the config value, else the summary.
 */
export default function ParallelPanel({ keys, runs, title }: { keys: string[]; runs: Run[]; title: string }) {
  const dims = useMemo(() => keys.map((k) => resolveField(runs, k)), [keys, runs]);
  const spec = useMemo<ChartSpec>(() => ({ type: "parallel", source: { kind: "runs" }, fields: { color: dims[dims.length - 1] }, dims }), [dims]);
  if (dims.length < 2) return empty("Choose at least two columns (config.* or summary.*) for the axes.");
  if (!runs.some((r) => dims.some((d) => valueOf(r, d) != null))) return empty(`No run in this run set has ${dims.join(", ")}.`);
  return <RunsChart spec={spec} runs={runs} label={title} />;
}
