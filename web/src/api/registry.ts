// The model registry (functions/wanllmdb_functions/registry/, docs/registry.md): registries, their
// registered models and versions, stage and alias moves, and the requests that reviewers approve.
// A registry is named `entity:name` in every path, so a deep link needs no lookup of its id first.
import { api, unwrap } from "./client";
import type { paths } from "./schema";
import type { FilePage, FileSource } from "./artifacts";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer A } } } ? JsonOf<A> : never;
type Body<P extends keyof paths, M extends "post" | "put" | "patch"> = paths[P][M] extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

const MODEL = "/api/registries/{registry}/models/{model}" as const;
const VERSION = "/api/registries/{registry}/models/{model}/versions/{label}" as const;

export type Registry = Get<"/api/registries/{registry}">;
export type RegistrySettings = Registry["settings"];
export type RegisteredModel = Get<typeof MODEL>;
export type RegisteredVersion = Get<typeof VERSION>;
export type VersionLinks = Get<"/api/registries/{registry}/models/{model}/versions/{label}/links">;
export type Timeline = Get<"/api/registries/{registry}/models/{model}/timeline">;
export type TimelineEntry = Timeline["entries"][number];
export type PromotionRequest = Get<"/api/registry-requests">["requests"][number];
export type RequestStatus = PromotionRequest["status"];
export type RegistryCreate = Body<"/api/registries", "post">;
export type EvaluationIn = Body<"/api/registries/{registry}/models/{model}/versions/{label}/evaluations", "post">;

/** The path name of a registry: `entity:name` (the routes take it or the registry's id). */
export const registryRef = (entity: string, name: string): string => `${entity}:${name}`;

/** One registered version, as the page URLs name it. */
export interface RegisteredRef {
  registry: string;
  model: string;
  /** vN, latest, an alias or a stage name; pages resolve it to vN before reading more. */
  label: string;
}

const modelPath = (registry: string, model: string) => ({ params: { path: { registry, model } } });
const versionPath = (v: RegisteredRef) => ({ params: { path: { registry: v.registry, model: v.model, label: v.label } } });

export async function listRegistries(entity?: string): Promise<Registry[]> {
  return (await unwrap(api.GET("/api/registries", { params: { query: { entity: entity || undefined } } }))).registries;
}

export function createRegistry(body: RegistryCreate): Promise<Registry> {
  return unwrap(api.POST("/api/registries", { body }));
}

export function getRegistry(registry: string): Promise<Registry> {
  return unwrap(api.GET("/api/registries/{registry}", { params: { path: { registry } } }));
}

/** The registry's models with their stage holders and aliases; `q` narrows them on the server. */
export async function listModels(registry: string, q = ""): Promise<RegisteredModel[]> {
  return (await unwrap(api.GET("/api/registries/{registry}/models", { params: { path: { registry }, query: { q: q || undefined } } }))).models;
}

export function getModel(registry: string, model: string): Promise<RegisteredModel> {
  return unwrap(api.GET(MODEL, modelPath(registry, model)));
}

export async function listModelVersions(registry: string, model: string): Promise<RegisteredVersion[]> {
  return (await unwrap(api.GET("/api/registries/{registry}/models/{model}/versions", modelPath(registry, model)))).versions;
}

export function getRegisteredVersion(v: RegisteredRef): Promise<RegisteredVersion> {
  return unwrap(api.GET(VERSION, versionPath(v)));
}

export function versionLinks(v: RegisteredRef): Promise<VersionLinks> {
  return unwrap(api.GET("/api/registries/{registry}/models/{model}/versions/{label}/links", versionPath(v)));
}

export async function modelTimeline(registry: string, model: string): Promise<TimelineEntry[]> {
  return (await unwrap(api.GET("/api/registries/{registry}/models/{model}/timeline", modelPath(registry, model)))).entries;
}

/** Moves the version to `stage` at once: unprotected stages for writers, any stage for registry admins. */
export function setStage(v: RegisteredRef, stage: string, comment: string): Promise<RegisteredVersion> {
  return unwrap(api.POST("/api/registries/{registry}/models/{model}/versions/{label}/stage", { ...versionPath(v), body: { stage, comment } }));
}

/** Adds and removes free aliases; a protected one is refused with the server's reason. */
export function changeRegisteredAliases(v: RegisteredRef, change: { add?: string[]; remove?: string[] }): Promise<RegisteredVersion> {
  return unwrap(
    api.POST("/api/registries/{registry}/models/{model}/versions/{label}/aliases", {
      ...versionPath(v),
      body: { add: change.add ?? [], remove: change.remove ?? [] },
    }),
  );
}

export function addEvaluation(v: RegisteredRef, body: EvaluationIn) {
  return unwrap(api.POST("/api/registries/{registry}/models/{model}/versions/{label}/evaluations", { ...versionPath(v), body }));
}

/** What a request asks for: a stage, or an alias onto the version. */
export type RequestTarget = { kind: "stage"; stage: string } | { kind: "alias"; alias: string };

/** Asks the registry's reviewers to move `v` (vN) to a stage or a protected alias onto it. */
export function requestMove(v: RegisteredRef, target: RequestTarget, comment: string): Promise<PromotionRequest> {
  const body = { model: v.model, version: v.label, comment, ...(target.kind === "stage" ? { stage: target.stage } : { alias: target.alias }) };
  return unwrap(api.POST("/api/registries/{registry}/requests", { params: { path: { registry: v.registry } }, body }));
}

/** The registry's requests, optionally of one model or status, newest first as the server sends them. */
export async function listRequests(registry: string, q: { model?: string; status?: RequestStatus } = {}): Promise<PromotionRequest[]> {
  const query = { model: q.model || undefined, status: q.status || undefined };
  return (await unwrap(api.GET("/api/registries/{registry}/requests", { params: { path: { registry }, query } }))).requests;
}

/** The caller's review inbox: the pending requests they may approve, across every registry. */
export async function reviewInbox(): Promise<PromotionRequest[]> {
  return (await unwrap(api.GET("/api/registry-requests"))).requests;
}

export type Review = "approve" | "reject" | "cancel";

/** Closes a request: approve (the move happens with it), reject (a comment is required) or cancel (the requester). */
export function reviewRequest(r: Pick<PromotionRequest, "registry_id" | "id">, review: Review, comment: string): Promise<PromotionRequest> {
  const params = { params: { path: { registry: r.registry_id, request_id: r.id } }, body: { comment } };
  switch (review) {
    case "approve":
      return unwrap(api.POST("/api/registries/{registry}/requests/{request_id}/approve", params));
    case "reject":
      return unwrap(api.POST("/api/registries/{registry}/requests/{request_id}/reject", params));
    case "cancel":
      return unwrap(api.POST("/api/registries/{registry}/requests/{request_id}/cancel", params));
  }
}

/** The linked artifact version's files, read through the registry (the artifact's project may be closed to the reader). */
export function registeredFiles(v: RegisteredRef): FileSource {
  return {
    key: ["registry-files", v.registry, v.model, v.label],
    label: `${v.model}:${v.label}`,
    list: (q): Promise<FilePage> =>
      unwrap(
        api.GET("/api/registries/{registry}/models/{model}/versions/{label}/files", {
          params: {
            path: { registry: v.registry, model: v.model, label: v.label },
            query: { prefix: q.prefix || undefined, offset: q.offset ?? 0, limit: q.limit ?? 100, urls: q.urls || undefined },
          },
        }),
      ),
  };
}
