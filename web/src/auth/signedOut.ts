// What a signed-out visitor sees of a project: a public one opens; anything else asks them to sign in.
import { ApiError } from "../api/client";

/** The login page, coming back to `pathname` + `search` once signed in. */
export function signInHref(pathname: string, search = ""): string {
  return `/login?next=${encodeURIComponent(pathname + search)}`;
}

/** Why a signed-out visitor cannot see a project, from the error its lookup answered; null when the page should
 * show (or when signed in, where the page shows its own error as before). The server answers a private project
 * and a missing one alike (404), so as not to tell which names exist; a 401 means the browser still sends a
 * session cookie the server no longer takes. */
export function signedOutBlock(error: unknown, signedIn: boolean): "private" | "session" | null {
  if (signedIn || !(error instanceof ApiError)) return null;
  if (error.status === 404) return "private";
  if (error.status === 401) return "session";
  return null;
}
