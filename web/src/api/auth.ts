import { api, unwrap } from "./client";
import type { AuthProviders, LoginResult, User } from "./types";

/** Signs in in cookie mode: the session arrives as HttpOnly cookies and the answer carries no token. */
export function login(username: string, password: string): Promise<LoginResult> {
  return unwrap(api.POST("/api/auth/login", { body: { username, password, session: "cookie" } }));
}

/** Ends the sign-in on the server, which clears its cookies. */
export async function logout(): Promise<void> {
  await unwrap(api.POST("/api/auth/logout"));
}

/** The sign-ins this server offers: always password, and OIDC (SSO) when an issuer is configured. */
export function getProviders(): Promise<AuthProviders> {
  return unwrap(api.GET("/api/auth/providers"));
}

/** Who the session cookies belong to (after an SSO sign-in, the page learns it here). */
export function getMe(): Promise<User> {
  return unwrap(api.GET("/api/auth/me"));
}

/** The marker the SSO callback returns to: the login page finishes the sign-in there. */
export const SSO_DONE_PARAM = "sso";

/**
 * Where the "Sign in with SSO" button navigates: the server's start URL, told to come back to the
 * login page (which then reads /api/auth/me and goes on to `next`). Only same-site paths are kept
 * as `next`, as for password sign-in.
 */
export function ssoStartHref(startUrl: string, next: string | null): string {
  const back = new URLSearchParams({ [SSO_DONE_PARAM]: "1" });
  if (next && next.startsWith("/") && !next.startsWith("//")) back.set("next", next);
  return `${startUrl}?${new URLSearchParams({ return_to: `/login?${back}` })}`;
}

/** Creates an account with an invitation (single-use) and signs it in, in cookie mode. */
export function register(body: { username: string; password: string; invitation: string }): Promise<LoginResult> {
  return unwrap(api.POST("/api/auth/register", { body: { ...body, session: "cookie" } }));
}
