import { useQueries } from "@tanstack/react-query";
import { getProjectById } from "../../api/artifacts";

/**
 * entity/name of each project id, for links to versions of other projects (a run may use another
 * project's artifact; the API names it by project id). `known` is the page's own project.
 */
export function useProjectPaths(ids: readonly string[], known: { id: string; entity: string; name: string } | null): Map<string, [string, string]> {
  const foreign = [...new Set(ids)].filter((id) => id !== known?.id);
  const projects = useQueries({
    queries: foreign.map((id) => ({ queryKey: ["projects", "by-id", id], queryFn: () => getProjectById(id), retry: false, staleTime: Infinity })),
  });
  const paths = new Map<string, [string, string]>();
  if (known) paths.set(known.id, [known.entity, known.name]);
  projects.forEach((p, i) => {
    if (p.data) paths.set(foreign[i], [p.data.entity, p.data.name]);
  });
  return paths;
}
