// The signed-in user's in-app notifications, their per-project subscriptions, and the local email outbox.
import { api, unwrap } from "./client";
import type { paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer J } } ? J : never;
export type NotificationPage = Json<paths["/api/notifications"]["get"]["responses"][200]>;
export type Notification = NotificationPage["items"][number];
export type Subscription = Json<paths["/api/projects/{project_id}/subscription"]["get"]["responses"][200]>;
export type SubscriptionSet = NonNullable<paths["/api/projects/{project_id}/subscription"]["put"]["requestBody"]>["content"]["application/json"];
export type EventKind = SubscriptionSet["events"][number];

/** One email the local server wrote to its outbox folder instead of sending it. */
export interface OutboxMessage {
  file: string;
  to: string;
  subject: string;
  text: string;
}

export function inbox(q: { cursor?: string; unreadOnly?: boolean } = {}): Promise<NotificationPage> {
  return unwrap(api.GET("/api/notifications", { params: { query: { cursor: q.cursor, unread_only: q.unreadOnly } } }));
}

/** Marks these notifications read; no ids marks all of them. Answers with the first inbox page. */
export function markRead(ids: string[] = []): Promise<NotificationPage> {
  return unwrap(api.POST("/api/notifications/read", { body: { ids } }));
}

export function getSubscription(projectId: string): Promise<Subscription> {
  return unwrap(api.GET("/api/projects/{project_id}/subscription", { params: { path: { project_id: projectId } } }));
}

export function setSubscription(projectId: string, body: SubscriptionSet): Promise<Subscription> {
  return unwrap(api.PUT("/api/projects/{project_id}/subscription", { params: { path: { project_id: projectId } }, body }));
}

/** The local server's email outbox, newest first (tenant admins only). */
export async function listOutbox(): Promise<OutboxMessage[]> {
  const answer = await unwrap(api.GET("/api/outbox"));
  return (answer.messages ?? []).map((m) => ({
    file: String(m.file ?? ""),
    to: String(m.to ?? ""),
    subject: String(m.subject ?? ""),
    text: String(m.text ?? ""),
  }));
}

export type Webhook = Json<paths["/api/webhooks"]["get"]["responses"][200]>["webhooks"][number];
export type WebhookCreated = Json<paths["/api/webhooks"]["post"]["responses"][201]>;
export type Delivery = Json<paths["/api/webhooks/{hook_id}/deliveries"]["get"]["responses"][200]>["deliveries"][number];

export async function listWebhooks(): Promise<Webhook[]> {
  return (await unwrap(api.GET("/api/webhooks"))).webhooks;
}

/** A webhook for the caller's subscriptions; the answer carries its signing secret, shown only once. */
export function createWebhook(url: string, name: string): Promise<WebhookCreated> {
  return unwrap(api.POST("/api/webhooks", { body: { url, name } }));
}

export async function deleteWebhook(hookId: string): Promise<void> {
  await unwrap(api.DELETE("/api/webhooks/{hook_id}", { params: { path: { hook_id: hookId } } }));
}

/** The webhook's delivery log: each event's status, attempts and last answer or error. */
export async function listDeliveries(hookId: string): Promise<Delivery[]> {
  return (await unwrap(api.GET("/api/webhooks/{hook_id}/deliveries", { params: { path: { hook_id: hookId } } }))).deliveries;
}
