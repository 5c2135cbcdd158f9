// The signed-in user's account: the server's health (which backend runs it) and the user's API keys.
import { api, unwrap } from "./client";
import type { paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer J } } ? J : never;
export type Health = Json<paths["/api/health"]["get"]["responses"][200]>;
export type ApiKeyInfo = Json<paths["/api/keys"]["get"]["responses"][200]>["items"][number];
export type ApiKeyCreated = Json<paths["/api/keys"]["post"]["responses"][201]>;

/** Liveness and the backend: `local` means an embedded `wanllmdb server` (no sign-in needed). */
export function getHealth(): Promise<Health> {
  return unwrap(api.GET("/api/health"));
}

export async function listKeys(): Promise<ApiKeyInfo[]> {
  return (await unwrap(api.GET("/api/keys"))).items;
}

export type KeyScope = ApiKeyInfo["scope"];
export interface KeySpec {
  name: string;
  scope: KeyScope;
  /** Days until the key stops working; null: never. */
  expiresInDays: number | null;
}

/** Creates a key; the answer carries the secret, which the server never shows again. */
export function createKey(spec: KeySpec): Promise<ApiKeyCreated> {
  return unwrap(api.POST("/api/keys", { body: { name: spec.name, scope: spec.scope, expires_in_days: spec.expiresInDays } }));
}

export async function revokeKey(keyId: string): Promise<void> {
  await unwrap(api.DELETE("/api/keys/{key_id}", { params: { path: { key_id: keyId } } }));
}
