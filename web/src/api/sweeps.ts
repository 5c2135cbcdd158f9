// Sweeps (functions/wanllmdb_functions/sweeps/, docs/sweeps.md): a project's sweeps, one sweep with its
// trials, its state changes (pause, resume, stop, cancel), and its analysis (importance, correlation,
// the best parameters), which the query function computes from the trials.
import { api, unwrap } from "./client";
import type { paths } from "./schema";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer A } } } ? JsonOf<A> : never;
type Body<P extends keyof paths, M extends "post" | "patch"> = paths[P][M] extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

const SWEEP = "/api/sweeps/{sweep_id}" as const;

export type Sweep = Get<typeof SWEEP>;
export type SweepState = Sweep["state"];
export type SweepList = Get<"/api/projects/{project_id}/sweeps">;
export type Trial = Get<"/api/sweeps/{sweep_id}/runs">["items"][number];
export type SweepAnalysis = Get<"/api/sweeps/{sweep_id}/analysis">;
export type ParamAnalysis = SweepAnalysis["parameters"][number];
export type BestParams = NonNullable<SweepAnalysis["best"]>;
export type SweepPatch = Body<typeof SWEEP, "patch">;

const sweepPath = (sweepId: string) => ({ params: { path: { sweep_id: sweepId } } });

/** A project's sweeps, newest first (counts and best trial as of each sweep's last controller step). */
export function listSweeps(projectId: string, cursor?: string | null): Promise<SweepList> {
  return unwrap(
    api.GET("/api/projects/{project_id}/sweeps", {
      params: { path: { project_id: projectId }, query: { per_page: 200, cursor: cursor || undefined } },
    }),
  );
}

export function getSweep(sweepId: string): Promise<Sweep> {
  return unwrap(api.GET(SWEEP, sweepPath(sweepId)));
}

/** The sweep's trials in hand-out order: params, state, and the metric value the search uses. */
export function listTrials(sweepId: string): Promise<Trial[]> {
  return unwrap(api.GET("/api/sweeps/{sweep_id}/runs", sweepPath(sweepId))).then((t) => t.items);
}

/** Pause (`paused`), resume (`running`), stop (`finished`) or cancel (`cancelled`). */
export function patchSweep(sweepId: string, body: SweepPatch): Promise<Sweep> {
  return unwrap(api.PATCH(SWEEP, { ...sweepPath(sweepId), body }));
}

export function getSweepAnalysis(sweepId: string): Promise<SweepAnalysis> {
  return unwrap(api.GET("/api/sweeps/{sweep_id}/analysis", sweepPath(sweepId)));
}
