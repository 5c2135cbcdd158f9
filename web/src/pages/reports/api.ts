// The reports API (functions/wanllmdb_functions/reports/routes.py), typed from the generated OpenAPI
// types (src/api/schema.d.ts) by route, as api/types.ts does. Every call
// goes through `request`, which sends the CSRF token, refreshes an expired session once, and throws
// the server's {"error": {code, message, field}} as an ApiError, like api/client.ts's unwrap.
import { ApiError, refreshSession } from "../../api/client";
import type { paths } from "../../api/schema";
import type { Ok } from "../../api/types";
import { csrfToken } from "../../auth/session";
import type { Block, ReportSpec } from "./spec";

type Api<P extends keyof paths, M extends keyof paths[P]> = Ok<P, M>;
/** The server types a spec as an object; the dashboard reads it as the spec (spec.ts). */
type WithSpec<T> = Omit<T, "spec"> & { spec: ReportSpec };

export type ReportSummary = Api<"/api/projects/{project_id}/reports", "get">["reports"][number];
export type Report = WithSpec<Api<"/api/reports/{report_id}", "get">>;
export type ReportState = ReportSummary["state"];
export type Visibility = NonNullable<ReportSummary["visibility"]>;
export type VersionInfo = Api<"/api/reports/{report_id}/versions", "get">["versions"][number];
type ServerDiff = Api<"/api/reports/{report_id}/diff", "get">;
export type BlockDiff = Omit<ServerDiff["blocks"][number], "before" | "after" | "type"> & {
  type: Block["type"];
  before?: Block | null;
  after?: Block | null;
};
export type BlockChange = BlockDiff["change"];
export type ReportDiff = Omit<ServerDiff, "blocks"> & { blocks: BlockDiff[] };
export type Thread = Api<"/api/reports/{report_id}/comments", "get">["threads"][number];
export type Anchor = Thread["anchor"];
export type Comment = Thread["comments"][number];
export type Mentionable = Api<"/api/reports/{report_id}/mentionable", "get">[number];
export type ShareLink = Api<"/api/reports/{report_id}/share-links", "get">["links"][number] & {
  url?: string;
  /** Only in the answer that created it. */
  token?: string;
};
export type LinkAccess = ShareLink["access"];

const SAFE = new Set(["GET", "HEAD"]);

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const csrf = csrfToken();
  if (csrf && !SAFE.has(method)) headers["X-CSRF-Token"] = csrf;
  return fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
}

/** The JSON answer of `method path`, or an ApiError carrying the server's code and message. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let r: Response;
  try {
    r = await send(method, path, body);
    if (r.status === 401 && !path.startsWith("/shared/") && (await refreshSession())) r = await send(method, path, body);
  } catch (e) {
    throw new ApiError(0, "network", `Cannot reach the server: ${(e as Error).message}`);
  }
  if (r.status === 204) return undefined as T;
  const data = (await r.json().catch(() => null)) as (T & { error?: { code?: string; message?: string; field?: string | null } }) | null;
  if (r.ok) return data as T;
  const e = data?.error;
  if (e?.message) throw new ApiError(r.status, e.code ?? "error", e.message, e.field ?? null);
  throw new ApiError(r.status, "http", `${r.status} ${r.statusText || "error"}`);
}

const enc = encodeURIComponent;
const qs = (q: Record<string, string | number | boolean | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "" && v !== false) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
};

export const listProjectReports = async (projectId: string, q: { q?: string; state?: ReportState | ""; starred?: boolean } = {}) =>
  (await request<{ reports: ReportSummary[] }>("GET", `/projects/${enc(projectId)}/reports${qs({ q: q.q, state: q.state || undefined, starred: q.starred })}`)).reports;

export const listMyReports = async (which: "mine" | "starred") =>
  (await request<{ reports: ReportSummary[] }>("GET", `/reports${qs({ [which]: true })}`)).reports;

export const createReport = (projectId: string, body: { id?: string; title: string; description?: string; spec?: ReportSpec; markdown?: string }) =>
  request<Report>("POST", `/projects/${enc(projectId)}/reports`, body);

export const getReport = (id: string) => request<Report>("GET", `/reports/${enc(id)}`);

export const getSharedReport = (token: string) => request<Report>("GET", `/shared/reports/${enc(token)}`);

/** Saves a new version; 409 `version_conflict` when someone saved since `base_version`. */
export const saveReport = (id: string, body: { spec: ReportSpec; title?: string; description?: string; base_version: number }) =>
  request<Report>("PUT", `/reports/${enc(id)}`, body);

export const publishReport = (id: string) => request<Report>("POST", `/reports/${enc(id)}/publish`, {});
export const deleteReport = (id: string) => request<void>("DELETE", `/reports/${enc(id)}`);
export const setStar = (id: string, starred: boolean) => request<void>(starred ? "PUT" : "DELETE", `/reports/${enc(id)}/star`);
export const setVisibility = (id: string, visibility: Visibility | null) => request<Report>("PUT", `/reports/${enc(id)}/visibility`, { visibility });

export const listVersions = async (id: string) => (await request<{ versions: VersionInfo[] }>("GET", `/reports/${enc(id)}/versions`)).versions;
export const getVersion = (id: string, n: number) => request<VersionInfo & { spec: ReportSpec }>("GET", `/reports/${enc(id)}/versions/${n}`);
export const diffVersions = (id: string, from: number, to: number) => request<ReportDiff>("GET", `/reports/${enc(id)}/diff${qs({ from, to })}`);
export const restoreVersion = (id: string, n: number, base_version: number) =>
  request<Report>("POST", `/reports/${enc(id)}/versions/${n}/restore`, { base_version });

export const listThreads = async (id: string) => (await request<{ threads: Thread[] }>("GET", `/reports/${enc(id)}/comments`)).threads;
export const createThread = (id: string, anchor: Anchor, body: string) => request<Thread>("POST", `/reports/${enc(id)}/comments`, { anchor, body });
export const replyToThread = (id: string, threadId: string, body: string) =>
  request<Thread>("POST", `/reports/${enc(id)}/comments/${enc(threadId)}/replies`, { body });
export const resolveThread = (id: string, threadId: string, resolved: boolean) =>
  request<Thread>("PATCH", `/reports/${enc(id)}/comments/${enc(threadId)}`, { resolved });

export const mentionable = (id: string, q: string) => request<Mentionable[]>("GET", `/reports/${enc(id)}/mentionable${qs({ q })}`);

export const listShareLinks = async (id: string) => {
  return (await request<{ links: ShareLink[] }>("GET", `/reports/${enc(id)}/share-links`)).links;
};
export const createShareLink = (id: string, access: LinkAccess, expires_in_s: number) =>
  request<ShareLink>("POST", `/reports/${enc(id)}/share-links`, { access, expires_in_s });
export const revokeShareLink = (id: string, linkId: string) => request<void>("DELETE", `/reports/${enc(id)}/share-links/${enc(linkId)}`);

export const exportMarkdownUrl = (id: string) => `/api/reports/${enc(id)}/export?format=md`;
