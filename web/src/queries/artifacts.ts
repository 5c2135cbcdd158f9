import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import {
  diffVersions,
  getVersion,
  listCollections,
  listVersions,
  runArtifacts,
  versionLineage,
  versionRuns,
  type FileSource,
  type VersionRef,
} from "../api/artifacts";

// A version vN never changes (its manifest is content-addressed): reads keyed by vN are kept as long
// as the page lives. Labels like `latest` or an alias move, so pages resolve them once (versionQuery)
// and key everything else by the vN it answered.
const IMMUTABLE = { staleTime: Infinity } as const;

export const artifactsKey = (project: string) => ["artifacts", project] as const;

export const collectionsQuery = (project: string) =>
  queryOptions({ queryKey: [...artifactsKey(project), "collections"], queryFn: () => listCollections(project) });

export const versionsQuery = (project: string, name: string) =>
  queryOptions({ queryKey: [...artifactsKey(project), name, "versions"], queryFn: () => listVersions(project, name) });

export const versionQuery = (v: VersionRef) =>
  queryOptions({ queryKey: [...artifactsKey(v.project), v.name, "version", v.label], queryFn: () => getVersion(v) });

/** One page of entries under a prefix (no URLs: the tree and the flat list only need paths and sizes). */
export const filePageQuery = (source: FileSource, prefix: string, offset: number, limit: number) =>
  queryOptions({
    queryKey: [...source.key, "files", prefix, offset, limit],
    queryFn: () => source.list({ prefix, offset, limit }),
    ...IMMUTABLE,
  });

/**
 * One entry with a fresh presigned GET, for its preview: the first entry under the exact path is
 * the file itself (a path sorts before every longer path it starts). Presigned URLs expire, so this
 * is asked for again after a few minutes rather than kept.
 */
export const fileUrlQuery = (source: FileSource, path: string) =>
  queryOptions({
    queryKey: [...source.key, "file-url", path],
    queryFn: async () => {
      const page = await source.list({ prefix: path, limit: 1, urls: true });
      const entry = page.entries[0];
      if (!entry || entry.path !== path) throw new Error(`no file ${path} in ${source.label}`);
      return entry;
    },
    staleTime: 5 * 60_000,
  });

export const DIFF_PAGE = 200;

export const diffPageQuery = (project: string, name: string, from: string, to: string, offset: number) =>
  queryOptions({
    queryKey: [...artifactsKey(project), name, "diff", from, to, offset],
    queryFn: () => diffVersions(project, name, { from, to, offset, limit: DIFF_PAGE }),
    placeholderData: keepPreviousData,
    ...IMMUTABLE,
  });

export const versionRunsQuery = (v: VersionRef) =>
  queryOptions({ queryKey: [...artifactsKey(v.project), v.name, v.label, "runs"], queryFn: () => versionRuns(v) });

export const lineageQuery = (v: VersionRef, depth: number) =>
  queryOptions({ queryKey: [...artifactsKey(v.project), v.name, v.label, "lineage", depth], queryFn: () => versionLineage(v, depth) });

export const runArtifactsQuery = (projectId: string, runId: string) =>
  queryOptions({ queryKey: ["runs", projectId, runId, "artifacts"], queryFn: () => runArtifacts(projectId, runId) });
