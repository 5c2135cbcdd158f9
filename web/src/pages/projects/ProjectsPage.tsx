import { useState } from "react";
import { Link } from "react-router";
import { useQuery } from "@tanstack/react-query";
import type { Project } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { useDebounced } from "../../hooks/useDebounced";
import { projectsQuery } from "../../queries/projects";
import { RUN_COUNT_COLUMNS, runCountCells } from "./runCounts";

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
              {RUN_COUNT_COLUMNS.map(({ state, label }) => (
                <th key={state} className="num">
                  {label}
                </th>
              ))}
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
                  <OwnerKind kind={p.entity_kind} />
                </td>
                <td className="muted">{p.description}</td>
                {runCountCells(p.run_counts).map((n, i) => (
                  <td key={RUN_COUNT_COLUMNS[i].state} className="num">
                    {n}
                  </td>
                ))}
                <td className="muted">{new Date(p.created_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const OWNER_KINDS: Record<Project["entity_kind"], { label: string; title: string }> = {
  user: { label: "personal", title: "A personal project: its owner's own" },
  org: { label: "org", title: "An organization's project: its members work in it" },
  team: { label: "team", title: "A team's project: the team's members work in it" },
};

/** Tells personal projects from team and organization ones. */
function OwnerKind({ kind }: { kind: Project["entity_kind"] }) {
  const { label, title } = OWNER_KINDS[kind];
  return (
    <span className={`badge owner-kind owner-${kind}`} title={title} data-owner-kind={kind}>
      {label}
    </span>
  );
}
