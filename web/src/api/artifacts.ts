// Artifact reads and alias changes (functions/wanllmdb_functions/artifacts/routes.py, docs/artifacts.md).
// `project` is the project's id or `entity:name`: the routes take either, so a deep link needs no
// lookup of the project record before its artifacts load.
import { api, unwrap } from "./client";
import type { paths } from "./schema";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer A } } } ? JsonOf<A> : never;

const BASE = "/api/projects/{project_id}/artifacts" as const;

export type ArtifactCollection = Get<typeof BASE>["collections"][number];
export type ArtifactVersion = Get<"/api/projects/{project_id}/artifacts/{name}/versions/{label}">;
export type FilePage = Get<"/api/projects/{project_id}/artifacts/{name}/versions/{label}/files">;
export type FileEntry = FilePage["entries"][number];
export type DiffPage = Get<"/api/projects/{project_id}/artifacts/{name}/diff">;
export type DiffEntry = DiffPage["entries"][number];
export type VersionRuns = Get<"/api/projects/{project_id}/artifacts/{name}/versions/{label}/runs">;
export type LineageGraph = Get<"/api/projects/{project_id}/artifacts/{name}/versions/{label}/lineage">;
export type RunArtifacts = Get<"/api/runs/{run_id}/artifacts">;

/** One version of a collection, as the page URLs name it. */
export interface VersionRef {
  project: string;
  name: string;
  /** vN, latest or an alias; pages resolve it to vN before reading files (a vN never changes). */
  label: string;
}

const versionPath = (v: VersionRef) => ({ project_id: v.project, name: v.name, label: v.label });

/** The project's collections, optionally of one type or with `name` in their name. */
export async function listCollections(project: string, q: { type?: string; name?: string } = {}): Promise<ArtifactCollection[]> {
  const res = await unwrap(
    api.GET(BASE, { params: { path: { project_id: project }, query: { type: q.type || undefined, name: q.name || undefined } } }),
  );
  return res.collections;
}

/** Every live version of a collection, with its aliases. */
export async function listVersions(project: string, name: string): Promise<ArtifactVersion[]> {
  const res = await unwrap(api.GET("/api/projects/{project_id}/artifacts/{name}/versions", { params: { path: { project_id: project, name } } }));
  return res.versions;
}

export function getVersion(v: VersionRef): Promise<ArtifactVersion> {
  return unwrap(api.GET("/api/projects/{project_id}/artifacts/{name}/versions/{label}", { params: { path: versionPath(v) } }));
}

/** One page of the version's manifest entries under `prefix`, in path order; `urls` adds presigned GETs. */
export function listFiles(v: VersionRef, q: FileQuery): Promise<FilePage> {
  return unwrap(
    api.GET("/api/projects/{project_id}/artifacts/{name}/versions/{label}/files", {
      params: {
        path: versionPath(v),
        query: { prefix: q.prefix || undefined, offset: q.offset ?? 0, limit: q.limit ?? 100, urls: q.urls || undefined },
      },
    }),
  );
}

/** What a file listing asks for: a page of entries under `prefix`, with presigned GETs when `urls`. */
export interface FileQuery {
  prefix?: string;
  offset?: number;
  limit?: number;
  urls?: boolean;
}

/**
 * Where the file browser (FilesTab, FilePreview) reads a manifest: an artifact version, or a registered
 * model version that links one (api/registry.ts). `key` names the (immutable) version in the query cache.
 */
export interface FileSource {
  key: readonly string[];
  /** How messages name the version, e.g. `dataset:v3`. */
  label: string;
  list: (q: FileQuery) => Promise<FilePage>;
}

/** An artifact version's files, read through its project. */
export function artifactFiles(v: VersionRef): FileSource {
  return { key: ["artifacts", v.project, v.name, v.label], label: `${v.name}:${v.label}`, list: (q) => listFiles(v, q) };
}

/** Added, removed and changed paths from `from` to `to`, paged, with the three counts. */
export function diffVersions(project: string, name: string, q: { from: string; to: string; offset: number; limit: number }): Promise<DiffPage> {
  return unwrap(
    api.GET("/api/projects/{project_id}/artifacts/{name}/diff", {
      params: { path: { project_id: project, name }, query: { from: q.from, to: q.to, offset: q.offset, limit: q.limit } },
    }),
  );
}

/** Adds and removes user aliases; the server refuses `latest` and `vN`, naming the field. */
export function changeAliases(v: VersionRef, change: { add?: string[]; remove?: string[] }): Promise<ArtifactVersion> {
  return unwrap(
    api.POST("/api/projects/{project_id}/artifacts/{name}/versions/{label}/aliases", {
      params: { path: versionPath(v) },
      body: { add: change.add ?? [], remove: change.remove ?? [] },
    }),
  );
}

/** Soft delete: the version leaves reads and its aliases go; `gc` frees its blobs later. */
export async function deleteVersion(v: VersionRef): Promise<void> {
  await unwrap(api.DELETE("/api/projects/{project_id}/artifacts/{name}/versions/{label}", { params: { path: versionPath(v) } }));
}

export function versionRuns(v: VersionRef): Promise<VersionRuns> {
  return unwrap(api.GET("/api/projects/{project_id}/artifacts/{name}/versions/{label}/runs", { params: { path: versionPath(v) } }));
}

export function versionLineage(v: VersionRef, depth: number): Promise<LineageGraph> {
  return unwrap(api.GET("/api/projects/{project_id}/artifacts/{name}/versions/{label}/lineage", { params: { path: versionPath(v), query: { depth } } }));
}

/** What a run used and logged: one query of the run's edges. Run ids are unique per project, so the project is named too. */
export function runArtifacts(projectId: string, runId: string): Promise<RunArtifacts> {
  return unwrap(api.GET("/api/runs/{run_id}/artifacts", { params: { path: { run_id: runId }, query: { project_id: projectId } } }));
}

/** A project by id: the lineage graph names other projects' versions by id, links need entity/name. */
export function getProjectById(projectId: string) {
  return unwrap(api.GET("/api/projects/{project_id}", { params: { path: { project_id: projectId } } }));
}
