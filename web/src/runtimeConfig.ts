// What the deployment tells the dashboard at run time, from /runtime-config.json beside the app.
//
// The AWS stack writes that file into the site (infra_cdk/site.py); the local server has none, and
// every field's absence means "as on the local server". Read once per page, never cached by the browser.

export interface RuntimeConfig {
  /** Where a report's collaboration socket is, when it is not the local server's
   * /api/reports/{id}/collab/ws: a URL or a path on this site (on AWS, API Gateway's WebSocket API
   * behind the site), opened with ?report=<id>. */
  collab_ws_url?: string;
}

export const RUNTIME_CONFIG_PATH = "/runtime-config.json";

/** Keeps the fields this dashboard knows, of the types it expects; anything else reads as absent. */
export function parseRuntimeConfig(body: unknown): RuntimeConfig {
  if (typeof body !== "object" || body === null) return {};
  const { collab_ws_url } = body as Record<string, unknown>;
  return typeof collab_ws_url === "string" && collab_ws_url ? { collab_ws_url } : {};
}

let loaded: Promise<RuntimeConfig> | null = null;

/** The deployment's runtime config, fetched on first use; {} when there is none (the local server
 * answers a missing file with the app's index.html, which is not JSON). */
export function runtimeConfig(): Promise<RuntimeConfig> {
  loaded ??= fetch(RUNTIME_CONFIG_PATH, { cache: "no-cache", credentials: "same-origin" })
    .then(async (r) => (r.ok ? parseRuntimeConfig(await r.json()) : {}))
    .catch(() => ({}));
  return loaded;
}
