import { queryOptions } from "@tanstack/react-query";
import { getSweep, getSweepAnalysis, listSweeps, listTrials, type Sweep } from "../api/sweeps";
import { sweepIsLive } from "../shaping/sweeps";

/** How often a live sweep's page asks again: about one agent heartbeat, so a finished trial shows within one. */
export const SWEEP_POLL_MS = 5_000;

export const sweepsKey = (projectId: string) => ["projects", projectId, "sweeps"] as const;
export const sweepKey = (sweepId: string) => ["sweeps", sweepId] as const;

/** Polls every `ms` while the sweep may still change (running or paused, or a trial still running). */
export const whileLive =
  (ms: number) =>
  (query: { state: { data?: Pick<Sweep, "state" | "counts"> } }): number | false =>
    sweepIsLive(query.state.data?.state, query.state.data?.counts) ? ms : false;

/** A project's sweeps; polled while any of them is live, so states and best values move on the list. */
export const sweepsQuery = (projectId: string) =>
  queryOptions({
    queryKey: sweepsKey(projectId),
    queryFn: () => listSweeps(projectId),
    refetchInterval: (q) => ((q.state.data?.items ?? []).some((s) => sweepIsLive(s.state, s.counts)) ? SWEEP_POLL_MS : false),
  });

export const sweepQuery = (sweepId: string) =>
  queryOptions({ queryKey: sweepKey(sweepId), queryFn: () => getSweep(sweepId), refetchInterval: whileLive(SWEEP_POLL_MS) });

/** The trials and the analysis poll with the sweep: `live` is the sweep's own answer to whileLive. */
export const trialsQuery = (sweepId: string, live: boolean) =>
  queryOptions({
    queryKey: [...sweepKey(sweepId), "trials"],
    queryFn: () => listTrials(sweepId),
    refetchInterval: live ? SWEEP_POLL_MS : false,
  });

export const analysisQuery = (sweepId: string, live: boolean) =>
  queryOptions({
    queryKey: [...sweepKey(sweepId), "analysis"],
    queryFn: () => getSweepAnalysis(sweepId),
    refetchInterval: live ? SWEEP_POLL_MS : false,
  });
