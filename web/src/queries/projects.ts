import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { getProjectByName, listProjects } from "../api/projects";

export const projectQuery = (entity: string, name: string) =>
  queryOptions({ queryKey: ["projects", "by-name", entity, name], queryFn: () => getProjectByName(entity, name) });

export const projectsQuery = (search: string) =>
  queryOptions({
    queryKey: ["projects", "list", search],
    queryFn: () => listProjects({ search, limit: 100 }),
    // While a new search loads, the last answer stays on screen.
    placeholderData: keepPreviousData,
  });

/** Deep links name a project as /entity/name; this resolves it to the project record. */
export const useProject = (entity: string, name: string) => useQuery(projectQuery(entity, name));
