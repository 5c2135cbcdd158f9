/**
 * A small read API over the routes the Python `wanllmdb.Api` uses (sdk/wanllmdb/api/): the runs of
 * a project, one run, and its history as wide rows (`_step`, `_timestamp`, one field per key).
 */
import { RestClient, type Fetch, type HistoryPage, type RunInfo, type RunListPage, type ProjectInfo } from "./rest.js";

export interface ApiOptions {
  baseUrl?: string;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: Fetch;
}

export interface RunsQuery {
  /** The runs table's filter JSON (docs/api-contract.md), e.g. {"state": "finished"}. */
  filters?: Record<string, unknown>;
  /** e.g. "-created_at" or "summary.loss". */
  order?: string;
  perPage?: number;
}

export interface HistoryQuery {
  keys?: string[];
  stream?: "history" | "system";
  minStep?: number;
  maxStep?: number;
  /** At most this many evenly spread steps (one request); without it, every step, page by page. */
  samples?: number;
  pageSize?: number;
}

export type HistoryRow = Record<string, unknown> & { _step: number };

export class Api {
  readonly client: RestClient;
  private projects = new Map<string, string>();

  constructor(opts: ApiOptions & { defaultBaseUrl?: string } = {}) {
    this.client = new RestClient(opts.baseUrl ?? opts.defaultBaseUrl ?? "http://127.0.0.1:8080", opts.apiKey, {
      timeoutMs: opts.timeoutMs,
      fetch: opts.fetch,
    });
  }

  /** The project id of "entity/project" (or "project" of the key's own user). */
  async projectId(path: string): Promise<string> {
    const hit = this.projects.get(path);
    if (hit) return hit;
    let parts = path.split("/").filter(Boolean);
    if (parts.length === 1) {
      const me = await this.client.call<{ username: string }>("GET", "/auth/me");
      parts = [me.username, parts[0]!];
    }
    const [entity, name] = parts.map(encodeURIComponent);
    const project = await this.client.call<ProjectInfo>("GET", `/projects/by-name/${entity}/${name}`);
    this.projects.set(path, project.id);
    return project.id;
  }

  /** Every run of a project (all pages). */
  async runs(path: string, query: RunsQuery = {}): Promise<RunInfo[]> {
    const projectId = await this.projectId(path);
    const out: RunInfo[] = [];
    let cursor: string | null | undefined;
    do {
      const page: RunListPage = await this.client.call("GET", `/projects/${encodeURIComponent(projectId)}/runs`, undefined, {
        filters: query.filters ? JSON.stringify(query.filters) : undefined,
        order: query.order,
        per_page: query.perPage ?? 200,
        cursor,
      });
      out.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  /** One run: "entity/project/run_id", or a run id with `project`. */
  async run(path: string, project?: string): Promise<RunInfo> {
    const parts = path.split("/").filter(Boolean);
    const runId = parts.pop()!;
    const projectPath = parts.length ? parts.join("/") : project;
    const projectId = projectPath ? await this.projectId(projectPath) : undefined;
    return this.client.getRun(runId, projectId);
  }

  /** A run's history as wide rows, ordered by step. */
  async history(run: Pick<RunInfo, "id" | "project_id">, query: HistoryQuery = {}): Promise<HistoryRow[]> {
    const rows: HistoryRow[] = [];
    let cursor: number | null = null;
    do {
      const page: HistoryPage = await this.client.call("GET", `/runs/${encodeURIComponent(run.id)}/history`, undefined, {
        project_id: run.project_id,
        keys: query.keys?.join(","),
        stream: query.stream,
        min_step: query.minStep,
        max_step: query.maxStep,
        samples: query.samples,
        page_size: query.pageSize ?? 10_000,
        cursor,
        format: "json",
      });
      rows.push(...(page.rows as HistoryRow[]));
      cursor = query.samples === undefined ? (page.next_cursor ?? null) : null;
    } while (cursor !== null);
    return rows;
  }
}
