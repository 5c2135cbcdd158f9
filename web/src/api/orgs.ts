// Organizations, their members, teams, custom roles and invitations, and the organization's activity feed.
import { api, unwrap } from "./client";
import type { components, paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer J } } ? J : never;
export type Org = Json<paths["/api/orgs/{org}"]["get"]["responses"][200]>;
export type Member = Json<paths["/api/orgs/{org}/members"]["get"]["responses"][200]>["items"][number];
export type Team = Json<paths["/api/orgs/{org}/teams"]["get"]["responses"][200]>["items"][number];
export type RoleList = Json<paths["/api/roles"]["get"]["responses"][200]>;
export type Role = RoleList["items"][number];
/** A permission name; the server's list (RoleList.permissions) is the source of the ones offered. */
export type Permission = components["schemas"]["Permission"];
export type Invitation = Json<paths["/api/invitations"]["get"]["responses"][200]>["items"][number];
export type InvitationCreated = Json<paths["/api/invitations"]["post"]["responses"][201]>;
export type ActivityPage = Json<paths["/api/orgs/{org}/activity"]["get"]["responses"][200]>;
export type ActivityLine = ActivityPage["items"][number];
export type ActivityFilter = NonNullable<paths["/api/orgs/{org}/activity"]["get"]["parameters"]["query"]>;

const orgPath = (org: string) => ({ params: { path: { org } } });

export async function listOrgs(): Promise<Org[]> {
  return (await unwrap(api.GET("/api/orgs"))).items;
}

export function createOrg(name: string, displayName?: string): Promise<Org> {
  return unwrap(api.POST("/api/orgs", { body: { name, display_name: displayName || null } }));
}

export async function listMembers(org: string): Promise<Member[]> {
  return (await unwrap(api.GET("/api/orgs/{org}/members", orgPath(org)))).items;
}

/** Adds an existing user to the organization (or sets their role when they are in it already). */
export function addMember(org: string, username: string, role: string): Promise<Member> {
  return unwrap(api.POST("/api/orgs/{org}/members", { ...orgPath(org), body: { username, role } }));
}

export function changeRole(org: string, username: string, role: string): Promise<Member> {
  return unwrap(api.PATCH("/api/orgs/{org}/members/{username}", { params: { path: { org, username } }, body: { role } }));
}

export async function removeMember(org: string, username: string): Promise<void> {
  await unwrap(api.DELETE("/api/orgs/{org}/members/{username}", { params: { path: { org, username } } }));
}

export async function listTeams(org: string): Promise<Team[]> {
  return (await unwrap(api.GET("/api/orgs/{org}/teams", orgPath(org)))).items;
}

export function createTeam(org: string, name: string): Promise<Team> {
  return unwrap(api.POST("/api/orgs/{org}/teams", { ...orgPath(org), body: { name } }));
}

export async function listTeamMembers(team: string): Promise<Member[]> {
  return (await unwrap(api.GET("/api/teams/{team}/members", { params: { path: { team } } }))).items;
}

export function addTeamMember(team: string, username: string, role: string): Promise<Member> {
  return unwrap(api.POST("/api/teams/{team}/members", { params: { path: { team } }, body: { username, role } }));
}

export async function removeTeamMember(team: string, username: string): Promise<void> {
  await unwrap(api.DELETE("/api/teams/{team}/members/{username}", { params: { path: { team, username } } }));
}

/** The built-in and custom roles, and every permission a custom role may be built from. */
export function listRoles(): Promise<RoleList> {
  return unwrap(api.GET("/api/roles"));
}

export function createRole(name: string, permissions: string[], description?: string): Promise<Role> {
  // The names come from the server's own list; a wrong one is refused there with the valid ones named.
  const body = { name, permissions: permissions as Permission[], description: description || null };
  return unwrap(api.POST("/api/roles", { body }));
}

export async function deleteRole(name: string): Promise<void> {
  await unwrap(api.DELETE("/api/roles/{name}", { params: { path: { name } } }));
}

export async function listInvitations(org: string): Promise<Invitation[]> {
  return (await unwrap(api.GET("/api/invitations", { params: { query: { org } } }))).items;
}

/** An invitation into `org`; its token is in this answer only and works once. */
export function invite(org: string, email: string | null, role: string): Promise<InvitationCreated> {
  return unwrap(api.POST("/api/invitations", { body: { org, email: email || null, role, ttl_days: 7 } }));
}

export async function revokeInvitation(id: string): Promise<void> {
  await unwrap(api.DELETE("/api/invitations/{invitation_id}", { params: { path: { invitation_id: id } } }));
}

export function orgActivity(org: string, filter: ActivityFilter): Promise<ActivityPage> {
  return unwrap(api.GET("/api/orgs/{org}/activity", { params: { path: { org }, query: filter } }));
}

export type TeamDeletion = Json<paths["/api/teams/{team}"]["delete"]["responses"][202]>;

/** Deletes the team with its memberships and projects (organization admins); restorable until the purge. */
export function deleteTeam(team: string): Promise<TeamDeletion> {
  return unwrap(api.DELETE("/api/teams/{team}", { params: { path: { team } } }));
}

export function restoreTeam(team: string): Promise<TeamDeletion> {
  return unwrap(api.POST("/api/teams/{team}/restore", { params: { path: { team } } }));
}

/** Changes the name people read (empty: show the organization's name); the name itself stays. */
export function renameOrg(org: string, displayName: string): Promise<Org> {
  return unwrap(api.PATCH("/api/orgs/{org}", { ...orgPath(org), body: { display_name: displayName || null } }));
}
