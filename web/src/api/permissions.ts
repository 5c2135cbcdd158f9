import type { Project } from "./types";

/** Whether the signed-in user may do `permission` in `project` (as the server reported it), to offer only
 * actions that will succeed. The server checks every request regardless. */
export const can = (project: Pick<Project, "permissions"> | undefined, permission: string): boolean =>
  !!project?.permissions?.includes(permission);
