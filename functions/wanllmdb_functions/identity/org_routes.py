"""Organizations, teams, memberships and custom roles."""

from __future__ import annotations

from fastapi import status

from ..app.routing import ServiceRouter
from ..core.policy import ENTITY_PERMISSIONS, Permission, authorize
from .authn import CallerDep
from .deps import OrgsDep, RolesDep
from .models import (
    EntityName,
    Member,
    MemberAdd,
    MemberList,
    MemberUpdate,
    Org,
    OrgCreate,
    OrgList,
    OrgUpdate,
    Role,
    RoleCreate,
    RoleList,
    RoleName,
    Team,
    TeamCreate,
    TeamList,
)

router = ServiceRouter(tags=["organizations"])


@router.post("/orgs", status_code=status.HTTP_201_CREATED)
def create_org(body: OrgCreate, caller: CallerDep, orgs: OrgsDep) -> Org:
    return orgs.create(caller, body)


@router.get("/orgs")
def list_orgs(caller: CallerDep, orgs: OrgsDep) -> OrgList:
    return OrgList(items=orgs.list_orgs(caller))


@router.get("/orgs/{org}")
def get_org(org: EntityName, caller: CallerDep, orgs: OrgsDep) -> Org:
    return orgs.get(caller, org)


@router.patch("/orgs/{org}")
def update_org(org: EntityName, body: OrgUpdate, caller: CallerDep, orgs: OrgsDep) -> Org:
    return orgs.update(caller, org, body)


@router.get("/orgs/{org}/members")
def list_org_members(org: EntityName, caller: CallerDep, orgs: OrgsDep) -> MemberList:
    orgs.get(caller, org)
    return MemberList(items=orgs.list_members(caller, org))


@router.post("/orgs/{org}/members")
def add_org_member(org: EntityName, body: MemberAdd, caller: CallerDep, orgs: OrgsDep) -> Member:
    orgs.get(caller, org)
    return orgs.set_member(caller, org, body.username, body.role)


@router.patch("/orgs/{org}/members/{username}")
def update_org_member(
    org: EntityName, username: EntityName, body: MemberUpdate, caller: CallerDep, orgs: OrgsDep
) -> Member:
    orgs.get(caller, org)
    return orgs.set_member(caller, org, username, body.role)


@router.delete("/orgs/{org}/members/{username}", status_code=status.HTTP_204_NO_CONTENT)
def remove_org_member(org: EntityName, username: EntityName, caller: CallerDep, orgs: OrgsDep) -> None:
    orgs.get(caller, org)
    orgs.remove_member(caller, org, username)


@router.post("/orgs/{org}/teams", status_code=status.HTTP_201_CREATED)
def create_team(org: EntityName, body: TeamCreate, caller: CallerDep, orgs: OrgsDep) -> Team:
    return orgs.create_team(caller, org, body.name)


@router.get("/orgs/{org}/teams")
def list_teams(org: EntityName, caller: CallerDep, orgs: OrgsDep) -> TeamList:
    return TeamList(items=orgs.list_teams(caller, org))


@router.get("/teams/{team}/members")
def list_team_members(team: EntityName, caller: CallerDep, orgs: OrgsDep) -> MemberList:
    return MemberList(items=orgs.list_members(caller, team))


@router.post("/teams/{team}/members")
def add_team_member(team: EntityName, body: MemberAdd, caller: CallerDep, orgs: OrgsDep) -> Member:
    return orgs.set_member(caller, team, body.username, body.role)


@router.delete("/teams/{team}/members/{username}", status_code=status.HTTP_204_NO_CONTENT)
def remove_team_member(team: EntityName, username: EntityName, caller: CallerDep, orgs: OrgsDep) -> None:
    orgs.remove_member(caller, team, username)


@router.get("/roles")
def list_roles(caller: CallerDep, roles: RolesDep) -> RoleList:
    return RoleList(items=roles.list_roles(), permissions=sorted(p.value for p in ENTITY_PERMISSIONS))


@router.post("/roles", status_code=status.HTTP_201_CREATED)
def create_role(body: RoleCreate, caller: CallerDep, roles: RolesDep) -> Role:
    authorize(caller, Permission.ROLE_ADMIN, None)
    return roles.create(body)


@router.delete("/roles/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_role(name: RoleName, caller: CallerDep, roles: RolesDep) -> None:
    authorize(caller, Permission.ROLE_ADMIN, None)
    roles.delete(name)
