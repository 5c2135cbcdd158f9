// The session itself lives in HttpOnly cookies (wl_session, wl_refresh) that no script can read, so
// a script injected into the page cannot carry a token away. What stays readable here:
// - a marker of who signed in (the username, not a secret), so a reload knows to show the app
//   instead of the login page; the server still decides on every request;
// - the CSRF token from the wl_csrf cookie, echoed in X-CSRF-Token on requests that change things.
const KEY = "wanllmdb.signedIn";
// Where the session token used to be kept: removed on sight, so no old token stays readable.
const LEGACY_KEY = "wanllmdb.session";
const CSRF_COOKIE = "wl_csrf";

export interface SignedIn {
  username: string;
}

type Listener = (s: SignedIn | null) => void;
const listeners = new Set<Listener>();

try {
  localStorage.removeItem(LEGACY_KEY);
} catch {
  // storage disabled: nothing was kept there either
}

export function readSignedIn(): SignedIn | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? ({ username: String((JSON.parse(raw) as SignedIn).username) } satisfies SignedIn) : null;
  } catch {
    return null;
  }
}

export function markSignedIn(s: SignedIn | null): void {
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify({ username: s.username }));
    else localStorage.removeItem(KEY);
  } catch {
    // storage disabled: the marker then lasts as long as this page
  }
  listeners.forEach((l) => l(s));
}

export function onSignedInChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The CSRF token the server set with the session (null when signed out). */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return null;
}
