import { api, unwrap } from "./client";
import type { paths } from "./schema";
import type { Project, ProjectPage } from "./types";

type Json<T> = T extends { content: { "application/json": infer J } } ? J : never;

/** The project a deep link names as /entity/name. */
export function getProjectByName(entity: string, name: string): Promise<Project> {
  return unwrap(api.GET("/api/projects/by-name/{entity}/{name}", { params: { path: { entity, name } } }));
}

/** The projects the signed-in user can read, optionally those whose name matches `search`. */
export function listProjects(q: { search?: string; limit?: number } = {}): Promise<ProjectPage> {
  return unwrap(api.GET("/api/projects", { params: { query: { search: q.search || undefined, limit: q.limit ?? 100 } } }));
}

export type ProjectUpdate = NonNullable<paths["/api/projects/{project_id}"]["patch"]["requestBody"]>["content"]["application/json"];
export type Visibility = Project["visibility"];
export type Grant = Json<paths["/api/projects/{project_id}/grants"]["get"]["responses"][200]>[number];
export type GrantIn = NonNullable<paths["/api/projects/{project_id}/grants"]["put"]["requestBody"]>["content"]["application/json"];
export type ProjectActivityFilter = NonNullable<paths["/api/projects/{project_id}/activity"]["get"]["parameters"]["query"]>;

const projectPath = (projectId: string) => ({ params: { path: { project_id: projectId } } });

/** The project with this id (the activity feed and notifications name projects by id). */
export function getProject(projectId: string): Promise<Project> {
  return unwrap(api.GET("/api/projects/{project_id}", projectPath(projectId)));
}

export function updateProject(projectId: string, body: ProjectUpdate): Promise<Project> {
  return unwrap(api.PATCH("/api/projects/{project_id}", { ...projectPath(projectId), body }));
}

export function listGrants(projectId: string): Promise<Grant[]> {
  return unwrap(api.GET("/api/projects/{project_id}/grants", projectPath(projectId)));
}

export function putGrant(projectId: string, body: GrantIn): Promise<Grant> {
  return unwrap(api.PUT("/api/projects/{project_id}/grants", { ...projectPath(projectId), body }));
}

export async function deleteGrant(projectId: string, g: Pick<Grant, "kind" | "resource_id" | "principal">): Promise<void> {
  const query = { kind: g.kind, resource_id: g.resource_id, principal: g.principal };
  await unwrap(api.DELETE("/api/projects/{project_id}/grants", { params: { path: { project_id: projectId }, query } }));
}

export function projectActivity(projectId: string, filter: ProjectActivityFilter) {
  return unwrap(api.GET("/api/projects/{project_id}/activity", { params: { path: { project_id: projectId }, query: filter } }));
}

/** The receipt of a delete: the project is hidden at once and restorable until `purge_after`. */
export type Deletion = Json<paths["/api/projects/{project_id}"]["delete"]["responses"][202]>;

/** Deletes the project with its runs, views and artifacts (project admins); undo with restoreProject. */
export function deleteProject(projectId: string): Promise<Deletion> {
  return unwrap(api.DELETE("/api/projects/{project_id}", projectPath(projectId)));
}

export function restoreProject(projectId: string): Promise<Deletion> {
  return unwrap(api.POST("/api/projects/{project_id}/restore", projectPath(projectId)));
}
