import { queryOptions } from "@tanstack/react-query";
import { getSubscription, inbox, listDeliveries, listOutbox, listWebhooks } from "../api/notifications";

export const inboxKey = ["notifications", "inbox"] as const;
/** The bell polls: a crashed run should show up without a reload. */
export const inboxQuery = () => queryOptions({ queryKey: inboxKey, queryFn: () => inbox(), refetchInterval: 15_000 });
export const subscriptionQuery = (projectId: string) =>
  queryOptions({ queryKey: ["notifications", "subscription", projectId], queryFn: () => getSubscription(projectId) });
export const outboxQuery = () => queryOptions({ queryKey: ["notifications", "outbox"], queryFn: listOutbox });
export const webhooksKey = ["notifications", "webhooks"] as const;
export const webhooksQuery = () => queryOptions({ queryKey: webhooksKey, queryFn: listWebhooks });
export const deliveriesQuery = (hookId: string) =>
  queryOptions({ queryKey: ["notifications", "webhooks", hookId, "deliveries"], queryFn: () => listDeliveries(hookId) });
