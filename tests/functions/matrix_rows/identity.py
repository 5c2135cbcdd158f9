"""Permission matrix rows of the identity service: auth, invitations, keys, orgs, teams, roles, projects,
audit."""

from __future__ import annotations

from wanllmdb_functions.core.policy import Permission
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.invitations import InvitationService
from wanllmdb_functions.identity.models import InvitationCreate, RoleCreate
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.roles import RoleService
from wanllmdb_functions.identity.users import UserService

from ..actors import USERNAMES
from . import (
    ADMINS,
    ORG_ADMINS,
    ORG_READERS,
    PROJECT_CASES,
    PUBLIC_READ,
    USERS,
    WRITERS,
    Call,
    Ctx,
    Expect,
    Row,
    actors_rule,
    project_rule,
    public_rule,
)

TEAM = "ml"
EVERYONE = actors_rule(USERS)


def _name(actor: str | None) -> str:
    return USERNAMES[actor or "owner"]


def _fresh_user(ctx: Ctx) -> str:
    username = ctx.unique("user")
    UserService(ctx.tenant.items).create(username, password=None)
    return username


def _fresh_org_member(ctx: Ctx, *, in_team: bool = False) -> str:
    """A new user who is a viewer of acme (and of team ml), added by the org's owner."""
    username = _fresh_user(ctx)
    orgs = OrgService(ctx.tenant.items)
    orgs.set_member(ctx.tenant.caller("owner"), "acme", username, "viewer")
    if in_team:
        orgs.set_member(ctx.tenant.caller("owner"), TEAM, username, "viewer")
    return username


def _own_key(ctx: Ctx, actor: str | None, case: str) -> Call:
    holder = "owner" if actor is None or case == "other-user" else actor
    user = UserService(ctx.tenant.items).require_by_name(_name(holder))
    key = CredentialService(ctx.tenant.items, session_ttl_s=60).create_key(user["id"], "matrix")
    return Call(f"/api/keys/{key.id}")


def _refresh(ctx: Ctx, actor: str | None, case: str) -> Call:
    user = UserService(ctx.tenant.items).require_by_name(_name(actor))
    issued = CredentialService(ctx.tenant.items, session_ttl_s=60).issue_session(user["id"])
    return Call("/api/auth/refresh", json={"refresh_token": issued.refresh_token})


def _register(ctx: Ctx, actor: str | None, case: str) -> Call:
    # Sign-up is closed (the default): anyone holding an invitation may register, signed in or not.
    invitation = InvitationService(ctx.tenant.items).issue(InvitationCreate(), created_by="matrix")
    body = {"username": ctx.unique("new"), "password": "long enough pw", "invitation": invitation.token}
    return Call("/api/auth/register", json=body)


# Invitations into no organization are for tenant admins; into `acme`, for its admins.
INVITE_CASES = ("tenant", "org")


def _invite_rule(success: int = 200) -> Expect:
    tenant, org = actors_rule({"admin"}, success), actors_rule(ORG_ADMINS, success)
    return lambda actor, case: (org if case == "org" else tenant)(actor, case)


def _invitation_body(case: str) -> dict[str, str]:
    return {"org": "acme", "role": "viewer"} if case == "org" else {}


def _fresh_invitation(ctx: Ctx, actor: str | None, case: str) -> Call:
    body = InvitationCreate.model_validate(_invitation_body(case))
    invitation = InvitationService(ctx.tenant.items).issue(body, created_by="matrix")
    return Call(f"/api/invitations/{invitation.id}")


def _fresh_role(ctx: Ctx, actor: str | None, case: str) -> Call:
    name = ctx.unique("role")
    RoleService(ctx.tenant.items).create(RoleCreate(name=name, permissions=[Permission.RUN_READ]))
    return Call(f"/api/roles/{name}")


def _project_entity(case: str) -> str:
    return "owner" if case.startswith("personal") else "acme"


def _revoke_expect(actor: str | None, case: str) -> int:
    if actor is None:
        return 401
    # Someone else's key is reported missing, to everyone but its owner (admins revoke their own keys).
    return 204 if case == "own" or actor == "owner" else 404


ROWS = [
    Row("GET", "/api/health", public_rule(), lambda ctx, a, c: Call("/api/health")),
    Row("GET", "/api/openapi.json", public_rule(), lambda ctx, a, c: Call("/api/openapi.json")),
    Row("GET", "/api/docs", public_rule(), lambda ctx, a, c: Call("/api/docs")),
    Row("POST", "/api/auth/register", public_rule(201), _register),
    Row(
        "POST",
        "/api/auth/login",
        public_rule(),
        lambda ctx, a, c: Call(
            "/api/auth/login", json={"username": _name(a), "password": ctx.tenant.keys[a or "owner"]}
        ),
    ),
    Row("POST", "/api/auth/refresh", public_rule(), _refresh),
    Row("POST", "/api/auth/logout", actors_rule(USERS, 204), lambda ctx, a, c: Call("/api/auth/logout")),
    Row("GET", "/api/auth/me", EVERYONE, lambda ctx, a, c: Call("/api/auth/me")),
    Row("GET", "/api/auth/providers", public_rule(), lambda ctx, a, c: Call("/api/auth/providers")),
    # Public sign-in legs; the matrix tenant configures no issuer, so both say so (404) to everyone.
    # tests/functions/identity/test_oidc_http.py drives them against a real issuer. With one, they
    # use only table actions the tour records through login, register and logout (GetItem, PutItem,
    # DeleteItem, TransactWriteItems), so the IAM tour loses nothing by skipping them.
    Row(
        "GET",
        "/api/auth/oidc/start",
        public_rule(404),
        lambda ctx, a, c: Call("/api/auth/oidc/start"),
        on_aws=False,
    ),
    Row(
        "GET",
        "/api/auth/oidc/callback",
        public_rule(404),
        lambda ctx, a, c: Call("/api/auth/oidc/callback", params={"code": "c", "state": "s"}),
        on_aws=False,
    ),
    Row(
        "POST",
        "/api/invitations",
        _invite_rule(201),
        lambda ctx, a, c: Call("/api/invitations", json=_invitation_body(c)),
        cases=INVITE_CASES,
    ),
    Row(
        "GET",
        "/api/invitations",
        _invite_rule(),
        lambda ctx, a, c: Call("/api/invitations", params={"org": "acme"} if c == "org" else None),
        cases=INVITE_CASES,
    ),
    Row(
        "DELETE", "/api/invitations/{invitation_id}", _invite_rule(204), _fresh_invitation, cases=INVITE_CASES
    ),
    Row(
        "POST", "/api/keys", actors_rule(USERS, 201), lambda ctx, a, c: Call("/api/keys", json={"name": "k"})
    ),
    Row("GET", "/api/keys", EVERYONE, lambda ctx, a, c: Call("/api/keys")),
    Row("DELETE", "/api/keys/{key_id}", _revoke_expect, _own_key, cases=("own", "other-user")),
    Row(
        "POST",
        "/api/orgs",
        actors_rule(USERS, 201),
        lambda ctx, a, c: Call("/api/orgs", json={"name": ctx.unique("org")}),
    ),
    Row("GET", "/api/orgs", EVERYONE, lambda ctx, a, c: Call("/api/orgs")),
    Row("GET", "/api/orgs/{org}", actors_rule(ORG_READERS), lambda ctx, a, c: Call("/api/orgs/acme")),
    Row(
        "PATCH",
        "/api/orgs/{org}",
        actors_rule(ORG_ADMINS),
        lambda ctx, a, c: Call("/api/orgs/acme", json={"display_name": "Acme"}),
    ),
    Row(
        "GET",
        "/api/orgs/{org}/members",
        actors_rule(ORG_READERS),
        lambda ctx, a, c: Call("/api/orgs/acme/members"),
    ),
    Row(
        "POST",
        "/api/orgs/{org}/members",
        actors_rule(ORG_ADMINS),
        lambda ctx, a, c: Call(
            "/api/orgs/acme/members", json={"username": _fresh_user(ctx), "role": "viewer"}
        ),
    ),
    Row(
        "PATCH",
        "/api/orgs/{org}/members/{username}",
        actors_rule(ORG_ADMINS),
        lambda ctx, a, c: Call(f"/api/orgs/acme/members/{_fresh_org_member(ctx)}", json={"role": "member"}),
    ),
    Row(
        "DELETE",
        "/api/orgs/{org}/members/{username}",
        actors_rule(ORG_ADMINS, 204),
        lambda ctx, a, c: Call(f"/api/orgs/acme/members/{_fresh_org_member(ctx)}"),
    ),
    Row(
        "POST",
        "/api/orgs/{org}/teams",
        actors_rule(ORG_ADMINS, 201),
        lambda ctx, a, c: Call("/api/orgs/acme/teams", json={"name": ctx.unique("team")}),
    ),
    Row(
        "GET",
        "/api/orgs/{org}/teams",
        actors_rule(ORG_READERS),
        lambda ctx, a, c: Call("/api/orgs/acme/teams"),
    ),
    Row(
        "GET",
        "/api/teams/{team}/members",
        actors_rule(ORG_READERS),
        lambda ctx, a, c: Call(f"/api/teams/{TEAM}/members"),
    ),
    Row(
        "POST",
        "/api/teams/{team}/members",
        actors_rule(ORG_ADMINS),
        lambda ctx, a, c: Call(
            f"/api/teams/{TEAM}/members", json={"username": _fresh_org_member(ctx), "role": "member"}
        ),
    ),
    Row(
        "DELETE",
        "/api/teams/{team}/members/{username}",
        actors_rule(ORG_ADMINS, 204),
        lambda ctx, a, c: Call(f"/api/teams/{TEAM}/members/{_fresh_org_member(ctx, in_team=True)}"),
    ),
    Row("GET", "/api/roles", EVERYONE, lambda ctx, a, c: Call("/api/roles")),
    Row(
        "POST",
        "/api/roles",
        actors_rule({"admin"}, 201),
        lambda ctx, a, c: Call("/api/roles", json={"name": ctx.unique("role"), "permissions": ["run:read"]}),
    ),
    Row("DELETE", "/api/roles/{name}", actors_rule({"admin"}, 204), _fresh_role),
    Row(
        "POST",
        "/api/projects",
        # Creating needs project:create on the entity: the owner (personal) or an org member.
        project_rule(WRITERS, 201, hide=False),
        lambda ctx, a, c: Call(
            "/api/projects",
            json={"name": ctx.unique("p"), "entity": _project_entity(c), "visibility": c.split("-")[1]},
        ),
        cases=PROJECT_CASES,
    ),
    Row("GET", "/api/projects", EVERYONE, lambda ctx, a, c: Call("/api/projects", params={"search": "acme"})),
    Row(
        "GET",
        "/api/projects/by-name/{entity}/{name}",
        PUBLIC_READ,
        lambda ctx, a, c: Call(
            f"/api/projects/by-name/{_project_entity(c)}/{_project_entity(c)}-{c.split('-')[1]}"
        ),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}",
        PUBLIC_READ,
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}"),
        cases=PROJECT_CASES,
    ),
    Row(
        "PATCH",
        "/api/projects/{project_id}",
        # Re-asserting the current visibility still needs project:admin.
        project_rule(ADMINS),
        lambda ctx, a, c: Call(
            f"/api/projects/{ctx.project_id(c)}", json={"visibility": c.split("-")[1], "description": "x"}
        ),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/audit",
        actors_rule({"admin"}),
        lambda ctx, a, c: Call("/api/audit", params={"limit": "5"}),
    ),
]
