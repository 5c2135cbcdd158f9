import { api, unwrap } from "./client";
import type { Project, ProjectPage } from "./types";

/** The project a deep link names as /entity/name. */
export function getProjectByName(entity: string, name: string): Promise<Project> {
  return unwrap(api.GET("/api/projects/by-name/{entity}/{name}", { params: { path: { entity, name } } }));
}

/** The projects the signed-in user can read, optionally those whose name matches `search`. */
export function listProjects(q: { search?: string; limit?: number } = {}): Promise<ProjectPage> {
  return unwrap(api.GET("/api/projects", { params: { query: { search: q.search || undefined, limit: q.limit ?? 100 } } }));
}
