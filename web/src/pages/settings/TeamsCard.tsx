import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { addTeamMember, createTeam, deleteTeam, removeTeamMember, restoreTeam, type Team, type TeamDeletion } from "../../api/orgs";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { teamMembersQuery, teamsQuery } from "../../queries/orgs";
import { when } from "./format";

/** An organization's teams: create one, and add or remove each team's members. */
export function TeamsCard({ org, roles }: { org: string; roles: string[] }) {
  const client = useQueryClient();
  const teams = useQuery(teamsQuery(org));
  const [name, setName] = useState("");
  const settle = { onSettled: () => client.invalidateQueries({ queryKey: ["orgs", org, "teams"] }) };
  const create = useMutation({ mutationFn: () => createTeam(org, name.trim()), onSuccess: () => setName(""), ...settle });
  const [deleted, setDeleted] = useState<TeamDeletion | null>(null);
  const remove = useMutation({ mutationFn: deleteTeam, onSuccess: setDeleted, ...settle });
  const restore = useMutation({ mutationFn: restoreTeam, onSuccess: () => setDeleted(null), ...settle });
  return (
    <section className="settings-card" aria-labelledby="teams-head">
      <h2 id="teams-head">Teams</h2>
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input placeholder="Team name" aria-label="New team name" value={name} onChange={(e) => setName(e.target.value)} required />
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          Create team
        </button>
      </form>
      <ErrorBanner error={create.error ?? remove.error ?? restore.error ?? teams.error} />
      {deleted && (
        <div className="new-key" role="status" data-testid="team-deletion">
          Team <strong>{deleted.name}</strong> deleted with its projects; they are purged after {when(deleted.purge_after)}.{" "}
          <button className="btn btn-small" onClick={() => restore.mutate(deleted.target)} disabled={restore.isPending}>
            Restore
          </button>
        </div>
      )}
      {teams.isPending ? (
        <Loading what="Loading teams" />
      ) : !teams.data?.length ? (
        <Empty title="No teams yet" />
      ) : (
        teams.data.map((t) => (
          <TeamMembers
            key={t.name}
            team={t}
            roles={roles}
            onDelete={() => {
              if (window.confirm(`Delete the team “${t.name}” with its memberships and projects? It can be restored until the purge.`))
                remove.mutate(t.name);
            }}
          />
        ))
      )}
    </section>
  );
}

function TeamMembers({ team, roles, onDelete }: { team: Team; roles: string[]; onDelete: () => void }) {
  const client = useQueryClient();
  const members = useQuery(teamMembersQuery(team.name));
  const settle = { onSettled: () => client.invalidateQueries({ queryKey: ["teams", team.name, "members"] }) };
  const [username, setUsername] = useState("");
  const [role, setRole] = useState("member");
  const add = useMutation({ mutationFn: () => addTeamMember(team.name, username.trim(), role), onSuccess: () => setUsername(""), ...settle });
  const remove = useMutation({ mutationFn: (u: string) => removeTeamMember(team.name, u), ...settle });
  return (
    <div className="team-block" data-team={team.name}>
      <h3>
        {team.name}{" "}
        <button className="btn btn-small btn-ghost" aria-label={`Delete team ${team.name}`} onClick={onDelete}>
          Delete team
        </button>
      </h3>
      <ErrorBanner error={add.error ?? remove.error ?? members.error} />
      <ul className="chip-list">
        {members.data?.map((m) => (
          <li key={m.user_id} className="tag" data-team-member={m.username}>
            {m.username} <span className="muted">({m.role})</span>
            <button className="tag-x" aria-label={`Remove ${m.username} from ${team.name}`} onClick={() => remove.mutate(m.username)}>
              ×
            </button>
          </li>
        ))}
        {members.data?.length === 0 && <li className="muted small">No members</li>}
      </ul>
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <input placeholder="Username" aria-label={`Username to add to ${team.name}`} value={username} onChange={(e) => setUsername(e.target.value)} required />
        <select aria-label={`Role in ${team.name}`} value={role} onChange={(e) => setRole(e.target.value)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button className="btn" type="submit" disabled={add.isPending}>
          Add to team
        </button>
      </form>
    </div>
  );
}
