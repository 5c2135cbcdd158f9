import { api, unwrap } from "./client";
import type { LoginResult } from "./types";

/** Signs in in cookie mode: the session arrives as HttpOnly cookies and the answer carries no token. */
export function login(username: string, password: string): Promise<LoginResult> {
  return unwrap(api.POST("/api/auth/login", { body: { username, password, session: "cookie" } }));
}

/** Ends the sign-in on the server, which clears its cookies. */
export async function logout(): Promise<void> {
  await unwrap(api.POST("/api/auth/logout"));
}
