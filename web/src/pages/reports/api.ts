// The reports API (issue 21's contract, /tmp design: functions/wanllmdb_functions/reports/routes.py),
// typed by hand until the server's OpenAPI types are generated into src/api/schema.d.ts. Every call
// goes through `request`, which sends the CSRF token, refreshes an expired session once, and throws
// the server's {"error": {code, message, field}} as an ApiError, like api/client.ts's unwrap.
import { ApiError, refreshSession } from "../../api/client";
import { csrfToken } from "../../auth/session";
import type { Block, ReportSpec } from "./spec";

export type ReportState = "draft" | "published";
export type Visibility = "private" | "team" | "org" | "public";

export interface ReportSummary {
  id: string;
  project_id: string;
  entity: string;
  project: string;
  title: string;
  description?: string;
  version: number;
  state: ReportState;
  visibility: Visibility | null;
  owner: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  starred: boolean;
  can_edit: boolean;
}

export interface Report extends ReportSummary {
  spec: ReportSpec;
}

export interface VersionInfo {
  version: number;
  author: string;
  created_at: string;
  title: string;
  message?: string | null;
}

export type BlockChange = "added" | "removed" | "changed" | "moved" | "same";
export interface BlockDiff {
  id: string;
  change: BlockChange;
  type: Block["type"];
  before?: Block;
  after?: Block;
  text_diff?: { op: "equal" | "insert" | "delete"; text: string }[];
}
export interface ReportDiff {
  blocks: BlockDiff[];
  title?: { before: string; after: string } | null;
}

export interface Anchor {
  block_id: string;
  from?: number;
  to?: number;
  quote?: string;
}
export interface Comment {
  id: string;
  author: string;
  body: string;
  created_at: string;
  edited_at?: string | null;
  mentions: string[];
}
export interface Thread {
  id: string;
  anchor: Anchor;
  resolved: boolean;
  comments: Comment[];
}

export interface Mentionable {
  username: string;
  name: string;
}

export type LinkAccess = "view" | "edit";
export interface ShareLink {
  id: string;
  access: LinkAccess;
  expires_at: string;
  url?: string;
  /** Only in the answer that created it. */
  token?: string;
  created_at?: string;
}

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
  const r = await request<{ links: ShareLink[] } | ShareLink[]>("GET", `/reports/${enc(id)}/share-links`);
  return Array.isArray(r) ? r : r.links;
};
export const createShareLink = (id: string, access: LinkAccess, expires_in_s: number) =>
  request<ShareLink>("POST", `/reports/${enc(id)}/share-links`, { access, expires_in_s });
export const revokeShareLink = (id: string, linkId: string) => request<void>("DELETE", `/reports/${enc(id)}/share-links/${enc(linkId)}`);

export const exportMarkdownUrl = (id: string) => `/api/reports/${enc(id)}/export?format=md`;
