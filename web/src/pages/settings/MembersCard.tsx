import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { addMember, changeRole, invite, removeMember, revokeInvitation, type InvitationCreated } from "../../api/orgs";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { invitationsQuery, membersQuery } from "../../queries/orgs";
import { when } from "./format";

/** The page an invited person opens to create their account. */
const joinLink = (token: string) => `${window.location.origin}/join?${new URLSearchParams({ invitation: token })}`;

/** An organization's members (change role, remove), adding an existing user, and invitations for new ones. */
export function MembersCard({ org, roles }: { org: string; roles: string[] }) {
  const client = useQueryClient();
  const members = useQuery(membersQuery(org));
  const invitations = useQuery(invitationsQuery(org));
  const settle = { onSettled: () => client.invalidateQueries({ queryKey: ["orgs", org] }) };
  const [username, setUsername] = useState("");
  const [role, setRole] = useState("member");
  const [email, setEmail] = useState("");
  const [inviteRole, setInviteRole] = useState("member");
  const [invited, setInvited] = useState<InvitationCreated | null>(null);
  const add = useMutation({ mutationFn: () => addMember(org, username.trim(), role), onSuccess: () => setUsername(""), ...settle });
  const change = useMutation({ mutationFn: (m: { username: string; role: string }) => changeRole(org, m.username, m.role), ...settle });
  const remove = useMutation({ mutationFn: (name: string) => removeMember(org, name), ...settle });
  const makeInvite = useMutation({
    mutationFn: () => invite(org, email.trim() || null, inviteRole),
    onSuccess: (made) => {
      setInvited(made);
      setEmail("");
    },
    ...settle,
  });
  const revoke = useMutation({ mutationFn: revokeInvitation, ...settle });
  const roleOptions = roles.map((r) => (
    <option key={r} value={r}>
      {r}
    </option>
  ));

  return (
    <section className="settings-card" aria-labelledby="members-head">
      <h2 id="members-head">Members</h2>
      <ErrorBanner error={add.error ?? change.error ?? remove.error ?? makeInvite.error ?? revoke.error ?? members.error} />
      {members.isPending ? (
        <Loading what="Loading members" />
      ) : (
        <table className="keys-table" data-testid="members-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {members.data?.map((m) => (
              <tr key={m.user_id} data-member={m.username}>
                <td>{m.username}</td>
                <td>
                  <select aria-label={`Role of ${m.username}`} value={m.role} onChange={(e) => change.mutate({ username: m.username, role: e.target.value })}>
                    {roles.includes(m.role) ? null : <option value={m.role}>{m.role}</option>}
                    {roleOptions}
                  </select>
                </td>
                <td>
                  <button
                    className="btn btn-ghost"
                    aria-label={`Remove ${m.username}`}
                    onClick={() => {
                      if (window.confirm(`Remove ${m.username} from ${org}?`)) remove.mutate(m.username);
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <input placeholder="Existing username" aria-label="Username to add" value={username} onChange={(e) => setUsername(e.target.value)} required />
        <select aria-label="Role for the new member" value={role} onChange={(e) => setRole(e.target.value)}>
          {roleOptions}
        </select>
        <button className="btn" type="submit" disabled={add.isPending}>
          Add member
        </button>
      </form>
      <h3>Invite someone new</h3>
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          setInvited(null);
          makeInvite.mutate();
        }}
      >
        <input type="email" placeholder="Email (optional)" aria-label="Invitee email" value={email} onChange={(e) => setEmail(e.target.value)} />
        <select aria-label="Role for the invitee" value={inviteRole} onChange={(e) => setInviteRole(e.target.value)}>
          {roleOptions}
        </select>
        <button className="btn btn-primary" type="submit" disabled={makeInvite.isPending}>
          Invite
        </button>
      </form>
      {invited && (
        <div className="new-key" role="status" data-testid="new-invitation">
          <p>
            Invitation for <strong>{invited.email ?? "anyone with the link"}</strong> as {invited.role}, until {when(invited.expires_at)}. Send them
            this link: it works once and is not shown again.
          </p>
          <code className="mono" data-testid="new-invitation-link">
            {joinLink(invited.token)}
          </code>{" "}
          <button className="btn" type="button" onClick={() => void navigator.clipboard?.writeText(joinLink(invited.token))}>
            Copy
          </button>
          <p className="muted small">
            The token alone (for <code>POST /api/auth/register</code>):{" "}
            <code className="mono" data-testid="new-invitation-token">
              {invited.token}
            </code>
          </p>
        </div>
      )}
      {invitations.data && invitations.data.length > 0 ? (
        <table className="keys-table" data-testid="invitations-table">
          <thead>
            <tr>
              <th>Open invitation</th>
              <th>Role</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((i) => (
              <tr key={i.id}>
                <td>{i.email ?? <span className="muted">no email</span>}</td>
                <td>{i.role ?? "member"}</td>
                <td>{when(i.expires_at)}</td>
                <td>
                  <button className="btn btn-ghost" aria-label={`Revoke invitation ${i.email ?? i.id}`} onClick={() => revoke.mutate(i.id)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        invitations.data && <Empty title="No open invitations" />
      )}
    </section>
  );
}
