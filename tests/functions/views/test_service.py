"""Saved views on both backends: create, idempotent re-save, revisions, conflicts, limits, delete."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from wanllmdb_functions.core.errors import Conflict, Forbidden, NotFound, TooLarge
from wanllmdb_functions.views.models import MAX_SPEC_BYTES, ViewSave
from wanllmdb_functions.views.service import ViewService

from ..actors import Tenant, build_tenant
from ..backends import BACKENDS, backend_state


@pytest.fixture(params=BACKENDS)
def tenant(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tenant]:
    with backend_state(request.param, tmp_path) as state:
        yield build_tenant(state.storage.items)


def _views(tenant: Tenant) -> ViewService:
    return ViewService(tenant.items)


def test_save_list_get_and_an_identical_resave_adds_no_revision(tenant: Tenant) -> None:
    views, owner, project = _views(tenant), tenant.caller("owner"), tenant.projects["org-private"]
    spec = {"runs": ["a", "b"], "x": "step", "layout": {"loss": {"x": 0, "y": 0, "w": 6, "h": 8}}}
    first, created = views.save(owner, project, "Loss curves", ViewSave(spec=spec))
    assert created and first.revision == 1 and first.created_by == "owner" and first.spec == spec
    again, created = views.save(owner, project, "Loss curves", ViewSave(spec=spec))
    assert not created and again == first
    listed = views.list_views(tenant.caller("viewer"), project).views
    assert [(v.name, v.revision) for v in listed] == [("Loss curves", 1)]
    assert views.get(tenant.caller("viewer"), project, "Loss curves") == first


def test_a_teammate_overwrites_and_a_stale_revision_is_refused(tenant: Tenant) -> None:
    views, project = _views(tenant), tenant.projects["org-private"]
    owner, member = tenant.caller("owner"), tenant.caller("member")
    views.save(owner, project, "v", ViewSave(spec={"smoothing": 0.1}))
    second, created = views.save(member, project, "v", ViewSave(spec={"smoothing": 0.5}, revision=1))
    assert not created and second.revision == 2
    assert (second.created_by, second.updated_by) == ("owner", "member")
    with pytest.raises(Conflict) as err:
        views.save(owner, project, "v", ViewSave(spec={"smoothing": 0.9}, revision=1))
    assert err.value.field == "revision" and "revision 2 by member" in str(err.value)
    assert views.get(owner, project, "v").spec == {"smoothing": 0.5}
    # Retrying the member's save (same spec, same expected revision) is not a conflict.
    assert views.save(member, project, "v", ViewSave(spec={"smoothing": 0.5}, revision=1))[0] == second


def test_revision_zero_creates_only(tenant: Tenant) -> None:
    views, owner, project = _views(tenant), tenant.caller("owner"), tenant.projects["personal-private"]
    assert views.save(owner, project, "new", ViewSave(spec={"a": 1}, revision=0))[1] is True
    with pytest.raises(Conflict) as err:
        views.save(owner, project, "new", ViewSave(spec={"a": 2}, revision=0))
    assert err.value.field == "revision"


def test_an_oversized_spec_is_refused_and_the_stored_view_kept(tenant: Tenant) -> None:
    views, owner, project = _views(tenant), tenant.caller("owner"), tenant.projects["personal-private"]
    views.save(owner, project, "v", ViewSave(spec={"ok": True}))
    with pytest.raises(TooLarge) as err:
        views.save(owner, project, "v", ViewSave(spec={"blob": "x" * MAX_SPEC_BYTES}))
    assert err.value.field == "spec"
    assert views.get(owner, project, "v").spec == {"ok": True}


def test_readers_read_writers_write_outsiders_see_nothing(tenant: Tenant) -> None:
    views, project = _views(tenant), tenant.projects["org-private"]
    views.save(tenant.caller("owner"), project, "v", ViewSave(spec={}))
    with pytest.raises(Forbidden):
        views.save(tenant.caller("viewer"), project, "v", ViewSave(spec={"changed": True}))
    with pytest.raises(Forbidden):
        views.delete(tenant.caller("viewer"), project, "v")
    with pytest.raises(NotFound) as err:
        views.list_views(tenant.caller("outsider"), project)
    assert err.value.field == "project_id"
    assert views.get(tenant.caller("owner"), project, "v").spec == {}


def test_views_belong_to_their_project_and_delete_is_final(tenant: Tenant) -> None:
    views, owner = _views(tenant), tenant.caller("owner")
    one, other = tenant.projects["org-private"], tenant.projects["org-public"]
    views.save(owner, one, "v", ViewSave(spec={"p": 1}))
    views.save(owner, one, "w", ViewSave(spec={"p": 1}))
    assert views.list_views(owner, other).views == []
    views.delete(owner, one, "v")
    assert [v.name for v in views.list_views(owner, one).views] == ["w"]
    with pytest.raises(NotFound) as err:
        views.get(owner, one, "v")
    assert err.value.field == "name"
    with pytest.raises(NotFound):
        views.delete(owner, one, "v")


def test_concurrent_saves_lose_no_revision(tmp_path: Path) -> None:
    # On SQLite only: moto does not isolate concurrent conditional writes (DynamoDB itself does).
    with backend_state("local", tmp_path) as state:
        tenant = build_tenant(state.storage.items)
        views, project = _views(tenant), tenant.projects["org-private"]
        callers = [tenant.caller(a) for a in ("owner", "member", "org_admin", "admin")]

        def save(i: int) -> int:
            return views.save(callers[i % 4], project, "busy", ViewSave(spec={"i": i}))[0].revision

        with ThreadPoolExecutor(16) as pool:
            revisions = list(pool.map(save, range(64)))
        assert sorted(revisions) == list(range(1, 65))
        assert views.get(callers[0], project, "busy").revision == 64
