"""The one policy function, decided on plain values: no storage involved."""

from __future__ import annotations

import pytest

from wanllmdb_functions.core.caller import Caller
from wanllmdb_functions.core.errors import Forbidden, NotFound
from wanllmdb_functions.core.policy import (
    BUILTIN_ROLES,
    EntityRef,
    Permission,
    ProjectRef,
    authorize,
    permissions_of,
)


def caller(name: str, *, admin: bool = False, **roles: str) -> Caller:
    perms = {entity: BUILTIN_ROLES[role] for entity, role in roles.items()}
    return Caller(name, name, admin, None, "api_key", entity_permissions=perms)


def project(owner: EntityRef, visibility: str = "private") -> ProjectRef:
    return ProjectRef("p1", owner, visibility)  # type: ignore[arg-type]


ALICE = EntityRef("alice", "user")
ACME = EntityRef("acme", "org")
ML_TEAM = EntityRef("ml", "team", org="acme")


def test_owner_holds_every_project_permission_on_a_personal_project() -> None:
    for permission in (Permission.PROJECT_ADMIN, Permission.RUN_DELETE, Permission.REGISTRY_APPROVE):
        authorize(caller("alice"), permission, project(ALICE))


def test_outsider_gets_not_found_for_a_private_project_so_it_stays_invisible() -> None:
    with pytest.raises(NotFound):
        authorize(caller("bob"), Permission.PROJECT_READ, project(ALICE))


def test_anyone_reads_a_public_project_but_cannot_write_it() -> None:
    authorize(caller("bob"), Permission.RUN_READ, project(ALICE, "public"))
    with pytest.raises(Forbidden):
        authorize(caller("bob"), Permission.RUN_WRITE, project(ALICE, "public"))


def test_viewer_reads_but_cannot_write_an_org_project() -> None:
    viewer = caller("v", acme="viewer")
    authorize(viewer, Permission.RUN_READ, project(ACME))
    with pytest.raises(Forbidden):
        authorize(viewer, Permission.RUN_WRITE, project(ACME))


def test_member_writes_runs_but_cannot_change_visibility() -> None:
    member = caller("m", acme="member")
    authorize(member, Permission.RUN_WRITE, project(ACME))
    with pytest.raises(Forbidden):
        authorize(member, Permission.PROJECT_ADMIN, project(ACME))


def test_org_admin_administers_the_projects_of_the_orgs_teams() -> None:
    authorize(caller("a", acme="admin"), Permission.PROJECT_ADMIN, project(ML_TEAM))
    with pytest.raises(NotFound):
        authorize(caller("m", acme="member"), Permission.PROJECT_READ, project(ML_TEAM))


def test_tenant_permissions_belong_to_tenant_admins_only() -> None:
    authorize(caller("root", admin=True), Permission.AUDIT_READ, None)
    with pytest.raises(Forbidden):
        authorize(caller("a", acme="admin"), Permission.AUDIT_READ, None)
    assert Permission.AUDIT_READ not in permissions_of(caller("alice"), ALICE)


def test_custom_role_grants_exactly_its_permission_set() -> None:
    reporter = Caller("r", "r", False, None, "session", {"acme": frozenset({Permission.REPORT_WRITE})})
    authorize(reporter, Permission.REPORT_WRITE, project(ACME))
    with pytest.raises(NotFound):  # no project:read in the set, so the project stays invisible
        authorize(reporter, Permission.RUN_READ, project(ACME))


def test_the_auth_and_policy_surface_other_services_build_on_is_pinned() -> None:
    from wanllmdb_functions.core import caller, policy
    from wanllmdb_functions.identity import authn as auth

    assert caller.__all__ == ["ANONYMOUS", "Caller"]
    expected_auth = {
        "CallerDep",
        "authenticated",
        "bearer_credentials",
        "resolve_caller",
        # The web's cookie session: logout must find the token the request authenticated with.
        "BearerDep",
        "CookieAuth",
        "presented_token",
        # Routes that only read a project: no token is the anonymous caller (public projects).
        "ReaderDep",
        "reader",
        # Read-scoped keys: which requests change state (POST queries do not).
        "READ_ONLY_POSTS",
        "REPORT_LINK_HEADER",
        "changes_state",
        # What a user's roles give, for users who are not the caller (a registry's reviewers).
        "entity_permissions_of",
    }
    assert set(auth.__all__) == expected_auth
    assert set(policy.__all__) == {
        "BUILTIN_ROLES",
        "ENTITY_PERMISSIONS",
        "READ_PERMISSIONS",
        "TENANT_PERMISSIONS",
        "EntityRef",
        "Permission",
        "ProjectRef",
        "Resource",
        "authorize",
        "permissions_of",
        # Resource-level grants (runs, artifact collections, reports) and whose activity feed an entity feeds.
        "GRANT_KINDS",
        # What a report's share link lets its holder read in the report's project.
        "LINK_READ_PERMISSIONS",
        "Grant",
        "ResourceRef",
        # A resource's own audience (a report's visibility, a draft's owner) in place of the project's rules.
        "Audience",
        "not_found_for",
        "feed_owner",
    }
