import { queryOptions } from "@tanstack/react-query";
import { listInvitations, listMembers, listOrgs, listRoles, listTeamMembers, listTeams } from "../api/orgs";

export const orgsKey = ["orgs"] as const;
export const orgsQuery = () => queryOptions({ queryKey: orgsKey, queryFn: listOrgs });
export const membersQuery = (org: string) => queryOptions({ queryKey: ["orgs", org, "members"], queryFn: () => listMembers(org) });
export const teamsQuery = (org: string) => queryOptions({ queryKey: ["orgs", org, "teams"], queryFn: () => listTeams(org) });
export const teamMembersQuery = (team: string) =>
  queryOptions({ queryKey: ["teams", team, "members"], queryFn: () => listTeamMembers(team) });
export const invitationsQuery = (org: string) =>
  queryOptions({ queryKey: ["orgs", org, "invitations"], queryFn: () => listInvitations(org) });
export const rolesKey = ["roles"] as const;
export const rolesQuery = () => queryOptions({ queryKey: rolesKey, queryFn: listRoles });
