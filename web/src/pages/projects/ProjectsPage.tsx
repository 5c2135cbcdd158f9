import { useState } from "react";
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { projectsQuery } from "../../queries/projects";

export default function ProjectsPage() {
  const [search, setSearch] = useState("");
  const q = useDebounced(search, 250);
  const { data, error, isPending, refetch } = useQuery(projectsQuery(q));
  return (
    <div className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <input className="search" placeholder="Search projects" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorBanner error={error} onRetry={() => void refetch()} />
      {isPending ? (
        <Loading what="Loading projects" />
      ) : data && data.items.length === 0 ? (
        <Empty title={q ? `No project matches “${q}”` : "No projects yet"}>
          Log a run with <code>wanllmdb.init(project="my-project")</code> and it appears here.
        </Empty>
      ) : (
        <table className="table projects-table">
          <thead>
            <tr>
              <th>Project</th>
              <th>Description</th>
              <th className="num">Running</th>
              <th className="num">Finished</th>
              <th className="num">Failed</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/${p.entity}/${p.name}`} className="project-link">
                    <span className="muted">{p.entity}/</span>
                    {p.name}
                  </Link>
                </td>
                <td className="muted">{p.description}</td>
                <td className="num">{p.run_counts?.running ?? 0}</td>
                <td className="num">{p.run_counts?.finished ?? 0}</td>
                <td className="num">{(p.run_counts?.failed ?? 0) + (p.run_counts?.crashed ?? 0)}</td>
                <td className="muted">{new Date(p.created_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
