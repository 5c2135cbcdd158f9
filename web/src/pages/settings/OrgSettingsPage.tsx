import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createOrg, orgActivity, renameOrg, type Org } from "../../api/orgs";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { orgsKey, orgsQuery, rolesQuery } from "../../queries/orgs";
import { ActivityCard } from "./ActivityCard";
import { when } from "./format";
import { KeysCard } from "./KeysCard";
import { MembersCard } from "./MembersCard";
import { RolesCard } from "./RolesCard";
import { TeamsCard } from "./TeamsCard";
import "./settings.css";

/** /settings/org?org=<name>: an organization's members, teams, roles and activity, and the caller's API keys. */
export default function OrgSettingsPage() {
  const [params, setParams] = useSearchParams();
  const orgs = useQuery(orgsQuery());
  const roles = useQuery(rolesQuery());
  const chosen = orgs.data?.find((o) => o.name === params.get("org")) ?? orgs.data?.[0];
  const roleNames = roles.data?.items.map((r) => r.name) ?? ["admin", "member", "viewer"];
  const pick = (name: string) => setParams({ org: name });

  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>Organization settings</h1>
        {orgs.data && orgs.data.length > 1 && (
          <select aria-label="Organization" value={chosen?.name} onChange={(e) => pick(e.target.value)}>
            {orgs.data.map((o) => (
              <option key={o.name} value={o.name}>
                {o.display_name || o.name}
              </option>
            ))}
          </select>
        )}
        <Link to="/settings/profile">Profile</Link>
        <Link to="/settings/outbox">Email outbox</Link>
      </div>
      <ErrorBanner error={orgs.error ?? roles.error} onRetry={() => void orgs.refetch()} />
      {orgs.isPending ? (
        <Loading what="Loading organizations" />
      ) : (
        <>
          {chosen ? <OrgCard key={chosen.name} org={chosen} /> : <Empty title="You belong to no organization yet">Create one below to invite your team.</Empty>}
          <NewOrgForm onCreated={pick} />
          {chosen && (
            <>
              <MembersCard org={chosen.name} roles={roleNames} />
              <TeamsCard org={chosen.name} roles={roleNames} />
              {roles.data && <RolesCard roles={roles.data} />}
              <ActivityCard scope={["org", chosen.name]} load={(f) => orgActivity(chosen.name, f)} />
            </>
          )}
          <KeysCard />
        </>
      )}
    </div>
  );
}

function OrgCard({ org }: { org: Org }) {
  const client = useQueryClient();
  const [display, setDisplay] = useState(org.display_name ?? "");
  const rename = useMutation({
    mutationFn: () => renameOrg(org.name, display.trim()),
    onSettled: () => client.invalidateQueries({ queryKey: orgsKey }),
  });
  return (
    <section className="settings-card" aria-labelledby="org-head">
      <h2 id="org-head">{org.display_name || org.name}</h2>
      <p className="small">
        Name <code data-testid="org-name">{org.name}</code> (it is part of project paths, so it does not change) · your role{" "}
        <strong>{org.role ?? "none"}</strong> · created {when(org.created_at)}
      </p>
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate();
        }}
      >
        <input placeholder={org.name} aria-label="Organization display name" value={display} onChange={(e) => setDisplay(e.target.value)} maxLength={256} />
        <button className="btn" type="submit" disabled={rename.isPending || display.trim() === (org.display_name ?? "")}>
          Rename
        </button>
      </form>
      <ErrorBanner error={rename.error} />
    </section>
  );
}

function NewOrgForm({ onCreated }: { onCreated: (name: string) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [display, setDisplay] = useState("");
  const create = useMutation({
    mutationFn: () => createOrg(name.trim(), display.trim()),
    onSuccess: async (org) => {
      setName("");
      setDisplay("");
      await client.invalidateQueries({ queryKey: orgsKey });
      onCreated(org.name);
    },
  });
  return (
    <details className="settings-card">
      <summary>New organization</summary>
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input placeholder="name, e.g. acme" aria-label="New organization name" value={name} onChange={(e) => setName(e.target.value)} required />
        <input placeholder="Display name (optional)" aria-label="New organization display name" value={display} onChange={(e) => setDisplay(e.target.value)} />
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          Create organization
        </button>
      </form>
      <ErrorBanner error={create.error} />
    </details>
  );
}
