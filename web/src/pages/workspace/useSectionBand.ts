import { useCallback, useMemo } from "react";
import { keepPreviousData, useQueries, type UseQueryResult } from "@tanstack/react-query";
import { bandKeysPerRequest, type BandAnswer } from "../../api/batch";
import type { Run } from "../../api/types";
import { bandQuery } from "../../queries/batch";
import { panelAxis, xParamOf } from "../../shaping/axes";
import type { BandSeries } from "../../shaping/arrowBatch";
import type { OthersBand } from "./MetricPanel";

/** One band request of a section: `keys` on axis `x` over every band run. */
export interface BandPart {
  keys: string[];
  x: string;
}

/**
 * How a section's band is asked for: keys grouped by the axis their lines are drawn on (as
 * sectionParts does), then split to stay under the route's band runs x keys limits. With 990 band
 * runs a section of 10 keys is one request.
 */
export function bandParts(lineRuns: Run[], bandRuns: number, keys: string[], x: string): BandPart[] {
  if (bandRuns === 0) return [];
  const byX = new Map<string, string[]>();
  for (const k of keys) {
    const kx = x === "step" ? xParamOf(panelAxis(lineRuns, k, "step")) : x;
    byX.set(kx, [...(byX.get(kx) ?? []), k]);
  }
  const per = bandKeysPerRequest(bandRuns);
  const parts: BandPart[] = [];
  for (const [kx, ks] of byX) for (let i = 0; i < ks.length; i += per) parts.push({ keys: ks.slice(i, i + per), x: kx });
  return parts;
}

/**
 * The band of a section's keys over `band` (the selected runs past the lines), one request per
 * part, asked only while `enabled` (the section is on screen); per key the band and how many runs
 * it stands for.
 */
export function useSectionBand(projectId: string, lineRuns: Run[], band: string[], keys: string[], x: string, live: boolean, enabled: boolean) {
  const parts = useMemo(() => bandParts(lineRuns, band.length, keys, x), [lineRuns, band.length, keys, x]);
  // The band does not depend on its runs' order: one cached answer whatever order they come in.
  const sorted = useMemo(() => [...band].sort(), [band]);
  const combine = useCallback(
    (results: UseQueryResult<BandAnswer>[]) => {
      const bands: Record<string, OthersBand> = {};
      for (const r of results)
        for (const [k, series] of Object.entries(r.data?.chunk.band ?? {}) as [string, BandSeries][]) bands[k] = { series, runs: band.length };
      const error = results.find((r) => r.error && !r.data)?.error ?? undefined;
      const loaded = results.every((r) => r.data !== undefined || r.error);
      return { bands, error, loaded };
    },
    [band.length],
  );
  return useQueries({
    queries: parts.map((p) => ({ ...bandQuery(projectId, { band: sorted, keys: p.keys, x: p.x }, live), enabled, placeholderData: keepPreviousData })),
    combine,
  });
}
