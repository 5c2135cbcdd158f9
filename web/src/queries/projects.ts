import { keepPreviousData, queryOptions, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { getProjectByName, listProjects } from "../api/projects";
import type { Project, ProjectPage } from "../api/types";

const LIST_KEY = ["projects", "list"] as const;

/**
 * The project `entity/name` as a project list already in the cache holds it (the projects page the
 * user came from), with when that list was read; undefined when no list holds it.
 */
export function listedProject(client: QueryClient, entity: string, name: string): { project: Project; readAt: number } | undefined {
  for (const [key, page] of client.getQueriesData<ProjectPage>({ queryKey: LIST_KEY })) {
    const project = page?.items.find((p) => p.entity === entity && p.name === name);
    if (project) return { project, readAt: client.getQueryState(key)?.dataUpdatedAt ?? 0 };
  }
  return undefined;
}

/**
 * Given the query client, a project opened from a list starts from the list's copy, so its page
 * draws and asks for its runs and views at once instead of after a lookup by name; the copy counts
 * as read when the list was, so it is still looked up again behind the scenes.
 */
export const projectQuery = (entity: string, name: string, client?: QueryClient) =>
  queryOptions({
    queryKey: ["projects", "by-name", entity, name],
    queryFn: () => getProjectByName(entity, name),
    initialData: client ? () => listedProject(client, entity, name)?.project : undefined,
    initialDataUpdatedAt: client ? () => listedProject(client, entity, name)?.readAt : undefined,
  });

export const projectsQuery = (search: string) =>
  queryOptions({
    queryKey: [...LIST_KEY, search],
    queryFn: () => listProjects({ search, limit: 100 }),
    // While a new search loads, the last answer stays on screen.
    placeholderData: keepPreviousData,
  });

/** Deep links name a project as /entity/name; this resolves it to the project record. */
export const useProject = (entity: string, name: string) => useQuery(projectQuery(entity, name, useQueryClient()));
