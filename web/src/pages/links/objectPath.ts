// The server names what a notification or an activity line is about by a path of its own (/runs/<id>,
// /projects/<project id>/artifacts/<name>, ...) that holds ids, not the /<entity>/<project> names the
// dashboard's routes use. These turn it into a dashboard path; /p/<project id>/... resolves the names.

/** The dashboard path for a server object link, or null when it names nothing the dashboard shows. */
export function objectPath(link: string | null | undefined, projectId: string | null | undefined): string | null {
  if (!link) return null;
  // The settings pages, and the registry's (/registries/<entity>/<registry>/<model>/vN, the inbox
  // /registry-requests), name things as the dashboard does already (docs/registry.md, "Dashboard links").
  if (link.startsWith("/settings/") || link === "/registries" || link.startsWith("/registries/") || link.startsWith("/registry-requests")) return link;
  const run = /^\/runs\/([^/?#]+)$/.exec(link);
  if (run) return projectId ? `/p/${encodeURIComponent(projectId)}/runs/${run[1]}` : null;
  const inProject = /^\/projects\/([^/?#]+)(\/.*)?$/.exec(link);
  if (inProject) return `/p/${inProject[1]}${inProject[2] ?? ""}`;
  return null;
}
