// The artifact pages' URLs, in one place: /:entity/:project/artifacts[/:name[/:version[/:tab]]].

export const projectApiId = (entity: string, project: string): string => `${entity}:${project}`;

export const artifactsHref = (entity: string, project: string, name?: string): string =>
  `/${entity}/${project}/artifacts${name ? `/${encodeURIComponent(name)}` : ""}`;

export const versionHref = (entity: string, project: string, name: string, version: string, tab = ""): string =>
  `${artifactsHref(entity, project, name)}/${encodeURIComponent(version)}${tab ? `/${tab}` : ""}`;

export const runHref = (entity: string, project: string, runId: string): string => `/${entity}/${project}/runs/${encodeURIComponent(runId)}`;

/** "2024-05-01 12:34" in the viewer's zone. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
