"""Organizations, teams, memberships and custom roles on both backends."""

from __future__ import annotations

import pytest

from wanllmdb_functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wanllmdb_functions.core.policy import Permission
from wanllmdb_functions.identity.models import OrgCreate, OrgUpdate, RoleCreate
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.roles import RoleService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService

from ..actors import Tenant


def test_org_name_cannot_reuse_a_username(tenant: Tenant) -> None:
    with pytest.raises(Conflict):
        OrgService(tenant.items).create(tenant.caller("outsider"), OrgCreate(name="member"))


def test_member_roles_resolve_into_the_caller(tenant: Tenant) -> None:
    assert Permission.ORG_ADMIN in tenant.caller("org_admin").entity_permissions["acme"]
    assert Permission.RUN_WRITE in tenant.caller("member").entity_permissions["acme"]
    assert Permission.RUN_WRITE not in tenant.caller("viewer").entity_permissions["acme"]
    assert "acme" not in tenant.caller("outsider").entity_permissions


def test_only_org_admins_manage_members(tenant: Tenant) -> None:
    orgs = OrgService(tenant.items)
    with pytest.raises(Forbidden):
        orgs.set_member(tenant.caller("member"), "acme", "outsider", "viewer")
    with pytest.raises(Forbidden):
        orgs.list_members(tenant.caller("outsider"), "acme")
    orgs.set_member(tenant.caller("org_admin"), "acme", "outsider", "viewer")
    assert "acme" in tenant.caller("outsider").entity_permissions


def test_only_org_admins_change_the_display_name_and_empty_clears_it(tenant: Tenant) -> None:
    orgs = OrgService(tenant.items)
    with pytest.raises(Forbidden):
        orgs.update(tenant.caller("member"), "acme", OrgUpdate(display_name="Hijacked"))
    renamed = orgs.update(tenant.caller("org_admin"), "acme", OrgUpdate(display_name="Acme Research"))
    assert (renamed.name, renamed.display_name, renamed.role) == ("acme", "Acme Research", "admin")
    assert orgs.get(tenant.caller("viewer"), "acme").display_name == "Acme Research"
    assert orgs.update(tenant.caller("org_admin"), "acme", OrgUpdate(display_name="")).display_name is None
    with pytest.raises(NotFound):
        orgs.update(tenant.caller("owner"), "nope", OrgUpdate(display_name="x"))


def test_the_last_admin_cannot_leave_or_be_demoted(tenant: Tenant) -> None:
    orgs = OrgService(tenant.items)
    owner = tenant.caller("owner")
    orgs.remove_member(owner, "acme", "org-admin")
    with pytest.raises(Conflict):
        orgs.set_member(owner, "acme", "owner", "member")
    with pytest.raises(Conflict):
        orgs.remove_member(owner, "acme", "owner")


def test_team_members_must_belong_to_the_org_and_leave_with_it(tenant: Tenant) -> None:
    orgs = OrgService(tenant.items)
    admin = tenant.caller("org_admin")
    orgs.create_team(admin, "acme", "ml")
    with pytest.raises(InvalidInput):
        orgs.set_member(admin, "ml", "outsider", "member")
    orgs.set_member(admin, "ml", "viewer", "member")  # a viewer of the org, a member of the team
    project, _ = ProjectService(tenant.items).create(
        tenant.caller("viewer"), ProjectCreate(name="p", entity="ml")
    )
    assert [t.name for t in orgs.list_teams(tenant.caller("member"), "acme")] == ["ml"]
    orgs.remove_member(admin, "acme", "viewer")
    assert "ml" not in tenant.caller("viewer").entity_permissions
    with pytest.raises(NotFound):
        ProjectService(tenant.items).get(tenant.caller("viewer"), project.id)
    # An org admin administers every team's projects without being in the team.
    ProjectService(tenant.items).get(admin, project.id)


def test_custom_role_is_a_named_permission_set(tenant: Tenant) -> None:
    roles = RoleService(tenant.items)
    body = RoleCreate(name="reporter", permissions=[Permission.PROJECT_READ, Permission.REPORT_WRITE])
    assert roles.create(body).permissions == ["project:read", "report:write"]
    assert roles.create(body).name == "reporter"  # the same definition again is a no-op
    with pytest.raises(Conflict):
        roles.create(RoleCreate(name="reporter", permissions=[Permission.RUN_WRITE]))
    orgs = OrgService(tenant.items)
    with pytest.raises(InvalidInput):
        orgs.set_member(tenant.caller("owner"), "acme", "outsider", "no-such-role")
    orgs.set_member(tenant.caller("owner"), "acme", "outsider", "reporter")
    assert tenant.caller("outsider").entity_permissions["acme"] == {
        Permission.PROJECT_READ,
        Permission.REPORT_WRITE,
    }
    roles.delete("reporter")
    assert tenant.caller("outsider").entity_permissions["acme"] == frozenset()


def test_builtin_roles_cannot_be_redefined(tenant: Tenant) -> None:
    with pytest.raises(Conflict):
        RoleService(tenant.items).create(RoleCreate(name="viewer", permissions=[Permission.RUN_WRITE]))
    assert UserService(tenant.items).get_by_name("acme") is None  # an org is not a user
