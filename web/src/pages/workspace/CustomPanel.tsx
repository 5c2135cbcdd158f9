import { lazy, Suspense } from "react";
import type { Run } from "../../api/types";
import { runName } from "../../api/runs";
import { Loading } from "../../components/status";
import { colorOf } from "../../shaping/colors";
import type { CustomPanel as PanelSpec } from "../../shaping/view";
import { valueOf } from "../table/columns";

// Non-line panel types load their code only when a workspace shows one.
const ScatterChart = lazy(() => import("../../charts/ScatterChart"));
const HistogramChart = lazy(() => import("../../charts/HistogramChart"));
const CompareTable = lazy(() => import("./CompareTable"));

interface Props {
  spec: PanelSpec;
  /** Every run listed in the workspace (scatter and histogram are across runs). */
  allRuns: Run[];
  selected: Run[];
  colors: Record<string, number>;
}

export function CustomPanel({ spec, allRuns, selected, colors }: Props) {
  const num = (r: Run, f?: string) => {
    const v = f ? valueOf(r, f) : undefined;
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  return (
    <Suspense fallback={<Loading what="Loading panel" />}>
      {spec.type === "compare" && <CompareTable runs={selected} colors={colors} />}
      {spec.type === "scatter" && (
        <ScatterChart
          xLabel={spec.xKey ?? ""}
          yLabel={spec.yKey ?? ""}
          points={allRuns.flatMap((r) => {
            const x = num(r, spec.xKey);
            const y = num(r, spec.yKey);
            return x === null || y === null ? [] : [{ x, y, color: colorOf(colors[r.id]), label: runName(r) }];
          })}
        />
      )}
      {spec.type === "histogram" && (
        <HistogramChart label={spec.key ?? ""} values={allRuns.map((r) => num(r, spec.key)).filter((v): v is number => v !== null)} />
      )}
    </Suspense>
  );
}
