import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { csrfToken, markSignedIn, readSignedIn } from "../auth/session";

/** An error answer from the API, carrying the server's {"error": {code, message, field}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// A 401 from these is their answer (wrong password, spent refresh token), not an expired session.
const SIGN_IN_PATHS = new Set(["/api/auth/login", "/api/auth/register", "/api/auth/refresh"]);

let reportLink: string | null = null;

/** While a shared report is open, its link's token rides with every request: the server lets it
 * read the runs the report's panels draw (on read routes only), so a view link needs no account. */
export function setReportLink(token: string | null): void {
  reportLink = token;
}

/** The session cookies ride along by themselves; requests that change things echo the CSRF token. */
function withCsrf(request: Request): Request {
  const token = csrfToken();
  if (token && !SAFE_METHODS.has(request.method)) request.headers.set("X-CSRF-Token", token);
  if (reportLink) request.headers.set("X-Report-Link", reportLink);
  return request;
}

async function refreshOnce(): Promise<boolean> {
  // Another tab may have refreshed while this one waited for the lock: its new cookies are ours.
  if ((await fetch("/api/auth/me")).ok) return true;
  const r = await fetch("/api/auth/refresh", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ session: "cookie" }),
  });
  return r.ok;
}

async function refreshInOneTab(): Promise<boolean> {
  if (!navigator.locks) return refreshOnce(); // outside a secure context: no cross-tab lock
  return await navigator.locks.request("wanllmdb-refresh", refreshOnce);
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh cookie for a new session: once for every request that failed together, and
 * one tab at a time. A refresh token works once, so two tabs refreshing with the same one would
 * look to the server like a stolen token replayed, and it would end the sign-in. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = refreshInOneTab()
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Whether a 401 from `path` may mean an expired session worth refreshing. Signed out there is no
 * session to refresh: a public project's page asks without one, and a 401 is then the answer. */
export function refreshesOn401(path: string, signedIn: boolean): boolean {
  return signedIn && !SIGN_IN_PATHS.has(path);
}

/** fetch for the API client: on a 401 it refreshes the session once and retries, and when that
 * fails it forgets who signed in, so the app falls back to the login page (or, on a public
 * project's page, to its signed-out view). */
async function sessionFetch(request: Request): Promise<Response> {
  const retry = refreshesOn401(new URL(request.url).pathname, readSignedIn() !== null) ? request.clone() : null;
  const response = await fetch(withCsrf(request));
  if (response.status !== 401 || !retry) return response;
  if (await refreshSession()) {
    const again = await fetch(withCsrf(retry));
    if (again.status !== 401) return again;
  }
  markSignedIn(null);
  return response;
}

const origin = typeof window !== "undefined" ? window.location.origin : "http://localhost";
export const api = createClient<paths>({ baseUrl: origin, fetch: sessionFetch });

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Resolves to the body of a 2xx answer, or throws an ApiError with the server's message. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (e) {
    throw new ApiError(0, "network", `Cannot reach the server: ${(e as Error).message}`);
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; field?: string | null }; detail?: unknown };
  const e = body.error;
  if (e?.message) throw new ApiError(response.status, e.code ?? "error", e.message, e.field ?? null);
  throw new ApiError(response.status, "http", `${response.status} ${response.statusText || "error"}`);
}
