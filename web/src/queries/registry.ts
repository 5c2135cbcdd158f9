import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import {
  getModel,
  getRegisteredVersion,
  getRegistry,
  listModels,
  listModelVersions,
  listRegistries,
  listRequests,
  modelTimeline,
  reviewInbox,
  versionLinks,
  type RegisteredRef,
} from "../api/registry";

// Everything under one key: a stage or alias move, a link or a review can change any model's
// badges, so a change refetches the registry's reads (and the inbox) with one invalidation.
export const registryKey = ["registry"] as const;
export const registryScope = (registry: string) => [...registryKey, registry] as const;

export const registriesQuery = () => queryOptions({ queryKey: [...registryKey, "list"], queryFn: () => listRegistries() });

export const registryQuery = (registry: string) => queryOptions({ queryKey: [...registryScope(registry), "record"], queryFn: () => getRegistry(registry) });

export const modelsQuery = (registry: string, q: string) =>
  queryOptions({
    queryKey: [...registryScope(registry), "models", q],
    queryFn: () => listModels(registry, q),
    // While a new search loads, the last answer stays on screen.
    placeholderData: keepPreviousData,
  });

export const modelQuery = (registry: string, model: string) =>
  queryOptions({ queryKey: [...registryScope(registry), "model", model], queryFn: () => getModel(registry, model) });

export const modelVersionsQuery = (registry: string, model: string) =>
  queryOptions({ queryKey: [...registryScope(registry), "model", model, "versions"], queryFn: () => listModelVersions(registry, model) });

export const timelineQuery = (registry: string, model: string) =>
  queryOptions({ queryKey: [...registryScope(registry), "model", model, "timeline"], queryFn: () => modelTimeline(registry, model) });

export const registeredVersionQuery = (v: RegisteredRef) =>
  queryOptions({ queryKey: [...registryScope(v.registry), "model", v.model, "version", v.label], queryFn: () => getRegisteredVersion(v) });

export const versionLinksQuery = (v: RegisteredRef) =>
  queryOptions({ queryKey: [...registryScope(v.registry), "model", v.model, "version", v.label, "links"], queryFn: () => versionLinks(v) });

export const modelRequestsQuery = (registry: string, model: string) =>
  queryOptions({ queryKey: [...registryScope(registry), "model", model, "requests"], queryFn: () => listRequests(registry, { model }) });

/** The reviewer's inbox; polled like the bell, so a new request shows without a reload. */
export const inboxQuery = () => queryOptions({ queryKey: [...registryKey, "inbox"], queryFn: reviewInbox, refetchInterval: 15_000 });
