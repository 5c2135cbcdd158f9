// The web session lives in localStorage so a reload or a new tab stays logged in;
// every API call reads the token from here through the client's middleware.
const KEY = "wanllmdb.session";

export interface Session {
  token: string;
  username: string;
  expiresAt?: string | null;
}

type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

export function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function writeSession(s: Session | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  listeners.forEach((l) => l(s));
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
