// The registry pages' URLs, in one place:
// /registries, /registries/:entity/:registry[/:model[/:version[/:tab]]], and the inbox /registry-requests.
import { registryRef } from "../../api/registry";

export const REGISTRIES_HREF = "/registries";
export const INBOX_HREF = "/registry-requests";

const seg = encodeURIComponent;

export const registryHref = (entity: string, registry: string): string => `${REGISTRIES_HREF}/${seg(entity)}/${seg(registry)}`;

export const modelHref = (entity: string, registry: string, model: string): string => `${registryHref(entity, registry)}/${seg(model)}`;

export const registeredVersionHref = (entity: string, registry: string, model: string, version: string, tab = ""): string =>
  `${modelHref(entity, registry, model)}/${seg(version)}${tab ? `/${tab}` : ""}`;

/** A project's page by its id (the registry names projects by id); /p/<id>/… finds its entity and name. */
export const projectObjectHref = (projectId: string, tail: string): string => `/p/${seg(projectId)}/${tail}`;

export const runByIdHref = (projectId: string, runId: string): string => projectObjectHref(projectId, `runs/${seg(runId)}`);

export const artifactByIdHref = (projectId: string, name: string, version: string): string =>
  projectObjectHref(projectId, `artifacts/${seg(name)}/${seg(version)}`);

/** The route params of a registry page, as the API names the registry (`entity:name`). */
export function registryParams(params: Readonly<Partial<Record<string, string>>>) {
  const entity = params.entity ?? "";
  const name = params.registry ?? "";
  return { entity, name, registry: registryRef(entity, name) };
}
