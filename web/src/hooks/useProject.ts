import { api, unwrap } from "../api/client";
import type { Project } from "../api/types";
import { useApi } from "./useApi";

/** Deep links name a project as /entity/name; this resolves it to the project record. */
export function useProject(entity: string, name: string) {
  return useApi<Project>(
    () => unwrap(api.GET("/api/projects/by-name/{entity}/{name}", { params: { path: { entity, name } } })),
    [entity, name],
  );
}
