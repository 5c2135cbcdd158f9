import { useSyncExternalStore } from "react";
import { onSignedInChange, readSignedIn } from "./session";

const subscribe = (changed: () => void) => onSignedInChange(() => changed());
// The username, not the object readSignedIn builds afresh on each read: a snapshot must compare equal while nothing changed.
const username = () => readSignedIn()?.username ?? null;

/** Who signed in on this page (their username), or null for a signed-out visitor; re-renders on sign-in and sign-out. */
export function useSignedIn(): string | null {
  return useSyncExternalStore(subscribe, username);
}
