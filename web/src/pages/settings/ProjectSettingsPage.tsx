import { useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../../api/client";
import { can } from "../../api/permissions";
import { projectActivity, updateProject, type ProjectUpdate, type Visibility } from "../../api/projects";
import type { Project } from "../../api/types";
import { ErrorBanner, Loading } from "../../components/status";
import { membersQuery, teamMembersQuery } from "../../queries/orgs";
import { projectQuery } from "../../queries/projects";
import { ActivityCard } from "./ActivityCard";
import { DeleteProjectCard } from "./DeleteProjectCard";
import { GrantsCard } from "./GrantsCard";
import { WatchCard } from "./WatchCard";
import "./settings.css";

const VISIBILITY: Record<Visibility, string> = {
  private: "Private: its owner's members only",
  public: "Public: anyone may read it, without a key; only members write",
};

/** /:entity/:project/settings: description, tags, visibility, who has access, notifications, activity and delete. */
export default function ProjectSettingsPage() {
  const { entity = "", project: name = "" } = useParams();
  const project = useQuery(projectQuery(entity, name));
  if (project.error) return <ErrorBanner error={project.error} onRetry={() => void project.refetch()} />;
  if (!project.data) return <Loading what="Loading project" />;
  const p = project.data;
  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>Project settings</h1>
        <span className="muted">
          {p.entity}/{p.name}
        </span>
      </div>
      <DetailsCard project={p} />
      <AccessCard project={p} />
      {can(p, "project:admin") && <GrantsCard projectId={p.id} />}
      <WatchCard projectId={p.id} />
      <ActivityCard scope={["project", p.id]} load={(f) => projectActivity(p.id, f)} />
      {can(p, "project:admin") && <DeleteProjectCard project={p} />}
    </div>
  );
}

function DetailsCard({ project }: { project: Project }) {
  const client = useQueryClient();
  const [description, setDescription] = useState(project.description);
  const [tags, setTags] = useState(project.tags.join(", "));
  const [visibility, setVisibility] = useState<Visibility>(project.visibility);
  const editable = can(project, "project:write");
  // Changing visibility takes project:admin; a writer may still change the text.
  const admin = can(project, "project:admin");
  const save = useMutation({
    mutationFn: () => {
      const body: ProjectUpdate = { description, tags: [...new Set(tags.split(",").map((t) => t.trim()).filter(Boolean))] };
      // Sent only when it changes, so a writer (not an admin) can save the description and tags.
      if (visibility !== project.visibility) body.visibility = visibility;
      return updateProject(project.id, body);
    },
    onSuccess: (saved) => {
      client.setQueryData(projectQuery(project.entity, project.name).queryKey, saved);
      void client.invalidateQueries({ queryKey: ["projects", "list"] });
    },
  });
  return (
    <section className="settings-card" aria-labelledby="details-head">
      <h2 id="details-head">Details</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label className="settings-field">
          Description
          <textarea rows={3} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={4096} disabled={!editable} />
        </label>
        <label className="settings-field">
          Tags (comma-separated)
          <input value={tags} onChange={(e) => setTags(e.target.value)} disabled={!editable} />
        </label>
        <label className="settings-field">
          Visibility
          <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)} disabled={!admin}>
            {(Object.keys(VISIBILITY) as Visibility[]).map((v) => (
              <option key={v} value={v}>
                {VISIBILITY[v]}
              </option>
            ))}
          </select>
        </label>
        <ErrorBanner error={save.error} />
        {save.isSuccess && !save.isPending && (
          <p className="small" role="status">
            Saved.
          </p>
        )}
        {editable ? (
          <button className="btn btn-primary" type="submit" disabled={save.isPending}>
            Save
          </button>
        ) : (
          <p className="muted small">You may read this project but not change it.</p>
        )}
      </form>
    </section>
  );
}

/** Who has access through the project's owner: a person, or an organization's or team's members. */
function AccessCard({ project }: { project: Project }) {
  const kind = project.entity_kind;
  const members = useQuery({
    ...(kind === "team" ? teamMembersQuery(project.entity) : membersQuery(project.entity)),
    enabled: kind !== "user",
  });
  return (
    <section className="settings-card" aria-labelledby="access-head">
      <h2 id="access-head">Members</h2>
      {kind === "user" ? (
        <p className="small">
          A personal project of <strong>{project.entity}</strong>: only they (and grants below) have access.
        </p>
      ) : (
        <>
          <p className="small">
            Members of the {kind} <strong>{project.entity}</strong> work here with their role there.{" "}
            {kind === "org" && <Link to={`/settings/org?org=${encodeURIComponent(project.entity)}`}>Manage members and roles</Link>}
          </p>
          {members.error instanceof ApiError && members.error.status === 403 ? (
            <p className="muted small">Your role here does not include listing the {kind}'s members.</p>
          ) : (
            <ErrorBanner error={members.error} />
          )}
          <ul className="chip-list" data-testid="project-members">
            {members.data?.map((m) => (
              <li key={m.user_id} className="tag">
                {m.username} <span className="muted">({m.role})</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
