"""Projects on both backends: idempotent create, visibility, artifact TTL default, listing, run counters."""

from __future__ import annotations

import pytest

from wanllmdb_functions.core.errors import Forbidden, InvalidInput, NotFound
from wanllmdb_functions.projects import keys
from wanllmdb_functions.projects.models import ProjectCreate, ProjectUpdate
from wanllmdb_functions.projects.service import ProjectService

from ..actors import Tenant


def test_create_is_idempotent_on_entity_and_name(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    first, created = projects.create(tenant.caller("member"), ProjectCreate(name="mnist", tags=["cv"]))
    again, created_again = projects.create(tenant.caller("member"), ProjectCreate(name="mnist"))
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.entity == "member" and again.tags == ["cv"]
    assert projects.get_ref(first.id).owner.kind == "user"


def test_members_create_org_projects_viewers_cannot(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    made, _ = projects.create(tenant.caller("member"), ProjectCreate(name="shared", entity="acme"))
    assert made.entity_kind == "org"
    with pytest.raises(Forbidden):
        projects.create(tenant.caller("viewer"), ProjectCreate(name="other", entity="acme"))
    with pytest.raises(Forbidden):
        projects.create(tenant.caller("outsider"), ProjectCreate(name="mine", entity="owner"))
    with pytest.raises(NotFound):
        projects.create(tenant.caller("member"), ProjectCreate(name="x", entity="no-such-entity"))


def test_private_projects_are_invisible_to_outsiders_public_ones_readable(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    outsider = tenant.caller("outsider")
    with pytest.raises(NotFound):
        projects.get(outsider, tenant.projects["personal-private"])
    with pytest.raises(NotFound):
        projects.get_by_name(outsider, "acme", "acme-private")
    assert projects.get(outsider, tenant.projects["org-public"]).visibility == "public"
    listed = {p.name for p in projects.list_projects(outsider).items}
    assert listed == {"owner-public", "acme-public"}


def test_a_private_project_asked_for_by_name_answers_like_a_missing_name(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    outsider, private = tenant.caller("outsider"), tenant.projects["personal-private"]
    with pytest.raises(NotFound) as hidden:
        projects.get_by_name(outsider, "owner", "owner-private")
    with pytest.raises(NotFound) as missing:
        projects.get_by_name(outsider, "owner", "owner-nothing")
    assert (hidden.value.message.replace("private", "nothing"), hidden.value.field) == (
        missing.value.message,
        missing.value.field,
    )
    assert private not in hidden.value.message
    # Creating a taken private name in someone else's space: refused as a free name is, not a 404.
    with pytest.raises(Forbidden) as taken:
        projects.create(outsider, ProjectCreate(name="owner-private", entity="owner"))
    with pytest.raises(Forbidden) as free:
        projects.create(outsider, ProjectCreate(name="owner-nothing", entity="owner"))
    assert taken.value.message == free.value.message


def test_listing_shows_what_each_role_may_read_searches_and_pages(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    viewer_sees = {p.name for p in projects.list_projects(tenant.caller("viewer")).items}
    assert viewer_sees == {"owner-public", "acme-private", "acme-public"}
    admin = tenant.caller("admin")
    assert len(projects.list_projects(admin).items) == 4
    assert [p.name for p in projects.list_projects(admin, search="PRIVATE").items] == [
        "acme-private",
        "owner-private",
    ]
    seen: list[str] = []
    cursor = None
    while True:
        page = projects.list_projects(admin, limit=3, cursor=cursor)
        seen += [p.name for p in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ["acme-private", "acme-public", "owner-private", "owner-public"]


def test_visibility_change_needs_admin_and_moves_the_listing(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    pid = tenant.projects["org-private"]
    with pytest.raises(Forbidden):
        projects.update(tenant.caller("member"), pid, ProjectUpdate(visibility="public"))
    assert projects.update(tenant.caller("member"), pid, ProjectUpdate(description="d")).description == "d"
    projects.update(tenant.caller("org_admin"), pid, ProjectUpdate(visibility="public"))
    assert pid in {p.id for p in projects.list_projects(tenant.caller("outsider")).items}


def test_the_artifact_ttl_default_needs_admin_and_notices_the_artifacts_expiry_pass(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    pid = tenant.projects["org-private"]
    admin, member = tenant.caller("org_admin"), tenant.caller("member")
    notice = keys.artifact_ttl_change(pid)
    with pytest.raises(Forbidden):
        projects.update(member, pid, ProjectUpdate(artifact_ttl_days=30))
    assert projects.update(admin, pid, ProjectUpdate(artifact_ttl_days=30)).artifact_ttl_days == 30
    assert (tenant.items.get(*notice) or {}).get("project_id") == pid
    tenant.items.delete(*notice)  # as the expiry pass does once it has re-indexed
    # A member's text edit keeps the default, and the same default again is no change to notice.
    assert projects.update(member, pid, ProjectUpdate(description="d")).artifact_ttl_days == 30
    projects.update(admin, pid, ProjectUpdate(artifact_ttl_days=30))
    assert tenant.items.get(*notice) is None
    # null is a value: keep artifacts forever.
    assert projects.update(admin, pid, ProjectUpdate(artifact_ttl_days=None)).artifact_ttl_days is None
    assert tenant.items.get(*notice) is not None


def test_run_counters_move_atomically(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    pid = tenant.projects["personal-private"]
    projects.add_run_counts(pid, {"running": 2})
    projects.add_run_counts(pid, {"running": -1, "finished": 1})
    counts = projects.get(tenant.caller("owner"), pid).run_counts
    assert (counts.running, counts.finished, counts.failed) == (1, 1, 0)
    with pytest.raises(InvalidInput):
        projects.add_run_counts(pid, {"exploded": 1})


def test_a_project_says_what_its_caller_may_do(tenant: Tenant) -> None:
    projects = ProjectService(tenant.items)
    org_private, public = tenant.projects["org-private"], tenant.projects["personal-public"]
    member = projects.get(tenant.caller("member"), org_private).permissions
    viewer = projects.get(tenant.caller("viewer"), org_private).permissions
    outsider = projects.get(tenant.caller("outsider"), public).permissions
    assert {"project:write", "run:write"} <= set(member) and "project:admin" not in member
    assert "run:read" in viewer and not [p for p in viewer if p.endswith((":write", ":admin", ":delete"))]
    assert set(outsider) == {"project:read", "run:read", "artifact:read", "report:read", "registry:read"}
    listed = projects.list_projects(tenant.caller("viewer")).items
    assert all("project:write" not in p.permissions for p in listed if p.id == org_private)
