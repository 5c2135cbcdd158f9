import { queryOptions } from "@tanstack/react-query";
import { getView, listViews } from "../api/views";

export const viewsKey = (projectId: string) => ["projects", projectId, "views"] as const;

export const viewsQuery = (projectId: string) => queryOptions({ queryKey: viewsKey(projectId), queryFn: () => listViews(projectId) });

/** One saved view, as a ?saved= link opens it: read once, since later saves must not overwrite what the user is editing. */
export const viewQuery = (projectId: string, name: string) =>
  queryOptions({
    queryKey: [...viewsKey(projectId), name],
    queryFn: () => getView(projectId, name),
    staleTime: Infinity,
  });
