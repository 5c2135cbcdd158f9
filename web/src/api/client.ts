import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import { readSession, writeSession } from "../auth/session";

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

const bearer: Middleware = {
  onRequest({ request }) {
    const s = readSession();
    if (s) request.headers.set("Authorization", `Bearer ${s.token}`);
    return request;
  },
  onResponse({ response, request }) {
    // An expired or revoked session: drop it so the app falls back to the login page.
    if (response.status === 401 && !request.url.includes("/api/auth/login")) writeSession(null);
    return response;
  },
};

const origin = typeof window !== "undefined" ? window.location.origin : "http://localhost";
export const api = createClient<paths>({ baseUrl: origin });
api.use(bearer);

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
