import { api, unwrap } from "./client";
import type { RunPage } from "./types";

export interface RunQuery {
  state?: string;
  tag?: string;
  filters?: Record<string, unknown> | null;
  order?: string;
  perPage?: number;
  cursor?: string | null;
}

/** One page of GET /projects/{id}/runs; filtering and sorting happen on the server. */
export function fetchRuns(projectId: string, q: RunQuery = {}): Promise<RunPage> {
  return unwrap(
    api.GET("/api/projects/{project_id}/runs", {
      params: {
        path: { project_id: projectId },
        query: {
          state: q.state || undefined,
          tag: q.tag || undefined,
          filters: q.filters ? JSON.stringify(q.filters) : undefined,
          order: q.order || undefined,
          per_page: q.perPage ?? 50,
          cursor: q.cursor || undefined,
        },
      },
    }),
  );
}

export const runName = (r: { name?: string | null; id: string }) => r.name || r.id;
