import { Navigate, useLocation, useParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { getProject } from "../../api/projects";
import { ErrorBanner, Loading } from "../../components/status";

/** /p/:projectId/*: finds the project's entity and name, then shows the same place under /<entity>/<project>. */
export default function ProjectRedirect() {
  const { projectId = "" } = useParams();
  const { pathname, search } = useLocation();
  // Everything after /p/<id>, whichever of the /p/ routes matched.
  const tail = pathname.split("/").slice(3).join("/");
  const project = useQuery({ queryKey: ["projects", "by-id", projectId], queryFn: () => getProject(projectId) });
  if (project.error) {
    return (
      <div className="page">
        <ErrorBanner error={project.error} />
      </div>
    );
  }
  if (!project.data) return <Loading what="Opening" />;
  return <Navigate to={`/${project.data.entity}/${project.data.name}${tail ? `/${tail}` : ""}${search}`} replace />;
}
