import { api, unwrap } from "./client";
import { parseView, type View } from "../shaping/view";

/** A named view stored on the server for the whole project, with the revision a save must name. */
export interface SavedView {
  view: View;
  revision: number;
  updatedBy: string;
  updatedAt: string;
}

interface Stored {
  name: string;
  spec: Record<string, unknown>;
  revision: number;
  updated_by: string;
  updated_at: string;
}

const fromServer = (s: Stored): SavedView => ({
  // The name is the key on the server; the spec is re-validated since anyone on the team may have written it.
  view: parseView({ ...s.spec, name: s.name }),
  revision: s.revision,
  updatedBy: s.updated_by,
  updatedAt: s.updated_at,
});

export async function listViews(projectId: string): Promise<SavedView[]> {
  const res = await unwrap(api.GET("/api/projects/{project_id}/views", { params: { path: { project_id: projectId } } }));
  return res.views.map(fromServer);
}

export async function getView(projectId: string, name: string): Promise<SavedView> {
  return fromServer(
    await unwrap(api.GET("/api/projects/{project_id}/views/{name}", { params: { path: { project_id: projectId, name } } })),
  );
}

/**
 * Saves `view` under its name. `revision` is the revision this save replaces (0: must be new); the
 * server answers 409 when a teammate saved since, so nobody's view is silently overwritten.
 */
export async function saveView(projectId: string, view: View, revision?: number): Promise<SavedView> {
  return fromServer(
    await unwrap(
      api.PUT("/api/projects/{project_id}/views/{name}", {
        params: { path: { project_id: projectId, name: view.name } },
        body: { spec: view as unknown as Record<string, unknown>, revision },
      }),
    ),
  );
}

export async function deleteView(projectId: string, name: string): Promise<void> {
  await unwrap(api.DELETE("/api/projects/{project_id}/views/{name}", { params: { path: { project_id: projectId, name } } }));
}
