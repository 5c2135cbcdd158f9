// Names for the API's shapes, derived from the generated `paths` by route rather than by schema
// name, so a regenerated schema.d.ts (FastAPI names its models its own way) keeps compiling.
import type { paths } from "./schema";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
export type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer B }
      ? JsonOf<B>
      : never
  : never;

export type User = Ok<"/api/auth/me", "get">;
export type LoginResult = Ok<"/api/auth/login", "post">;
export type AuthProviders = Ok<"/api/auth/providers", "get">;
export type Project = Ok<"/api/projects/{project_id}", "get">;
export type ProjectPage = Ok<"/api/projects", "get">;
export type Run = Ok<"/api/runs/{run_id}", "get">;
export type RunPage = Ok<"/api/projects/{project_id}/runs", "get">;
export type RunGroups = Ok<"/api/projects/{project_id}/runs/groups", "get">;
export type RunGroup = RunGroups["groups"][number];
export type MetricsResult = Ok<"/api/runs/{run_id}/metrics", "get">;
export type LogPage = Ok<"/api/runs/{run_id}/logs", "get">;
export type LogLine = LogPage["lines"][number];
export type FileList = Ok<"/api/runs/{run_id}/files", "get">;
export type RunFile = FileList["items"][number];
export type ConfigDiff = Ok<"/api/runs/config-diff", "get">;
export type RunState = "running" | "finished" | "failed" | "crashed" | "paused";
