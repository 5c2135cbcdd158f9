"""Cascading deletes on both backends: hidden at once, restorable, purged for good and resumably."""

from __future__ import annotations

import pytest

from tests.functions.deletes.conftest import Bin
from wanllmdb_functions.core.errors import Conflict, Gone, NotFound
from wanllmdb_functions.deletes.purge import PHASES
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.reports import keys as report_keys
from wanllmdb_functions.reports.models import ReportCreate, ShareLinkIn
from wanllmdb_functions.reports.service import ReportService
from wanllmdb_functions.reports.sharing import ShareLinkService
from wanllmdb_functions.runs.models import RunCreate, RunPatch
from wanllmdb_functions.sweeps import keys as sweep_keys
from wanllmdb_functions.sweeps.models import SweepCreate
from wanllmdb_functions.sweeps.service import SweepService
from wanllmdb_functions.views.keys import view

BIG = {"blob": "x" * 10_000}  # past the 4 KiB inline bound of the fixture: a configs/ object


def _run(b: Bin, run_id: str, project_id: str | None = None, **body: object) -> None:
    w = b.world
    w.runs.create(w.owner, project_id or w.project_id, RunCreate(id=run_id, **body))  # type: ignore[arg-type]


def _objects_of(b: Bin, project_id: str, run_id: str) -> list[str]:
    keys = [
        f"metrics/project={project_id}/run={run_id}/stream=history/chunk-a0000-000000000.parquet",
        f"logs/project={project_id}/run={run_id}/chunk-a0000-000000000.parquet",
        f"files/project={project_id}/run={run_id}/model.pt",
        f"media/project={project_id}/run={run_id}/img/0.png",
    ]
    for key in keys:
        b.world.blobs.put(key, b"data")
    return keys


def _lake(blobs: BlobStore, project_id: str) -> list[str]:
    roots = ("metrics/", "logs/", "files/", "media/", "configs/", "exports/", "runs/", "artifacts/")
    return sorted(i.key for root in roots for i in blobs.list(root) if f"project={project_id}" in i.key)


def test_a_deleted_run_is_hidden_at_once_and_restored_whole(trash_bin: Bin) -> None:
    w = trash_bin.world
    _run(trash_bin, "r1", config=BIG, tags=["a"])
    w.runs.patch(w.owner, "r1", RunPatch(state="finished"))
    objects = _objects_of(trash_bin, w.project_id, "r1")
    before = w.runs.get(w.owner, "r1")
    deletion = trash_bin.deletes.delete_run(w.owner, "r1")
    assert (deletion.kind, deletion.state, deletion.target) == ("run", "pending", "r1")
    with pytest.raises(NotFound):
        w.runs.get(w.owner, "r1")
    assert w.table.list(w.owner, w.project_id).total == 0
    assert ProjectService(w.items).get(w.owner, w.project_id).run_counts.finished == 0
    # A retried delete answers with the same deletion; the id is not free meanwhile.
    assert trash_bin.deletes.delete_run(w.owner, "r1").id == deletion.id
    with pytest.raises(Conflict, match="restore it"):
        _run(trash_bin, "r1")
    restored = trash_bin.deletes.restore_run(w.owner, "r1")
    assert restored.state == "restored" and restored.id == deletion.id
    assert trash_bin.deletes.restore_run(w.owner, "r1").state == "restored"  # a retry: no change
    after = w.runs.get(w.owner, "r1")
    assert after.model_dump(exclude={"updated_at"}) == before.model_dump(exclude={"updated_at"})
    assert w.table.list(w.owner, w.project_id).total == 1
    assert ProjectService(w.items).get(w.owner, w.project_id).run_counts.finished == 1
    assert set(objects) <= set(_lake(w.blobs, w.project_id))


def test_a_viewer_may_neither_delete_nor_restore_and_strangers_see_nothing(trash_bin: Bin) -> None:
    w = trash_bin.world
    _run(trash_bin, "r1")
    with pytest.raises(Exception, match="lacks run:delete"):
        trash_bin.deletes.delete_run(w.viewer, "r1")
    with pytest.raises(NotFound):
        trash_bin.deletes.delete_run(w.stranger, "r1")
    trash_bin.deletes.delete_run(w.owner, "r1")
    with pytest.raises(NotFound):
        trash_bin.deletes.restore_run(w.stranger, "r1")
    with pytest.raises(Exception, match="lacks run:delete"):
        trash_bin.deletes.restore_run(w.viewer, "r1")


def test_the_purge_removes_every_object_and_item_of_the_run_and_restore_is_then_gone(trash_bin: Bin) -> None:
    w = trash_bin.world
    _run(trash_bin, "r1", config=BIG)
    _run(trash_bin, "keep")
    _objects_of(trash_bin, w.project_id, "r1")
    kept = _objects_of(trash_bin, w.project_id, "keep")
    deletion = trash_bin.deletes.delete_run(w.owner, "r1")
    assert trash_bin.purger().run_due() == [deletion.id]
    assert _lake(w.blobs, w.project_id) == sorted(kept)
    assert w.items.query("RUN#r1").items == []
    assert w.items.query(f"TRASH#{deletion.id}").items == []
    with pytest.raises(Gone, match="purged after its grace period"):
        trash_bin.deletes.restore_run(w.owner, "r1")
    # Once purged the id is free again, and a second purge pass finds nothing to do.
    _run(trash_bin, "r1")
    assert trash_bin.purger().run_due() == []


class _Crashing:
    """A BlobStore or ItemStore that dies (as a killed process would) after `left` deletes."""

    def __init__(self, store: object, left: int) -> None:
        self._store, self.left = store, left

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def delete(self, *key: str, **kwargs: object) -> None:
        if self.left == 0:
            raise KeyboardInterrupt("killed mid-purge")
        self.left -= 1
        self._store.delete(*key, **kwargs)  # type: ignore[attr-defined]


def test_a_purge_killed_midway_resumes_where_it_stopped(trash_bin: Bin) -> None:
    w = trash_bin.world
    for i in range(3):
        _run(trash_bin, f"r{i}", config=BIG)
        for n in range(60):
            w.blobs.put(f"media/project={w.project_id}/run=r{i}/img/{n:03d}.png", b"px")
        _objects_of(trash_bin, w.project_id, f"r{i}")
    w.items.put({**dict(zip(("pk", "sk"), view(w.project_id, "v1"), strict=True)), "name": "v1"})
    total = len(_lake(w.blobs, w.project_id))
    deletion = trash_bin.deletes.delete_project(w.owner, w.project_id)
    crashing = _Crashing(w.blobs, left=150)
    purger = trash_bin.purger()
    purger._blobs = crashing  # type: ignore[assignment]  # the same job, run by a process that dies
    with pytest.raises(KeyboardInterrupt):
        purger.run_due()
    job = w.items.get(f"DELETED#project#{w.project_id}", "DELETION")
    assert job is not None and job["state"] == "purging"
    assert job["cursor"]["phase"] == "lake" and 0 < job["cursor"]["done"] <= 150  # its last durable batch
    assert len(_lake(w.blobs, w.project_id)) == total - 150
    # The next pass (a restarted server, the next schedule) finishes the job from its cursor.
    assert trash_bin.purger().run_due() == [deletion.id]
    assert _lake(w.blobs, w.project_id) == []
    assert w.items.query(f"PROJRUNS#{w.project_id}").items == []
    assert w.items.query(f"VIEWS#{w.project_id}").items == []
    assert all(w.items.query(f"RUN#r{i}").items == [] for i in range(3))
    done = w.items.get(f"DELETED#project#{w.project_id}", "DELETION")
    assert done is not None and done["state"] == "purged" and "gsi1pk" not in done
    assert PHASES["project"][-1] == "trash" and w.items.query(f"TRASH#{deletion.id}").items == []


def test_a_deleted_project_hides_its_runs_and_name_and_comes_back_whole(trash_bin: Bin) -> None:
    w = trash_bin.world
    projects = ProjectService(w.items)
    _run(trash_bin, "r1", config=BIG)
    deletion = trash_bin.deletes.delete_project(w.owner, w.project_id)
    assert deletion.name == "lab/mnist"
    for read in (lambda: projects.get(w.owner, w.project_id), lambda: w.runs.get(w.owner, "r1")):
        with pytest.raises(NotFound):
            read()
    assert [p.id for p in projects.list_projects(w.owner).items] == []
    assert trash_bin.deletes.delete_project(w.owner, w.project_id).id == deletion.id
    trash_bin.deletes.restore_project(w.owner, w.project_id)
    assert projects.get_by_name(w.owner, "lab", "mnist").id == w.project_id
    assert w.runs.get(w.owner, "r1").config == BIG


def test_a_project_restore_refuses_when_its_name_was_taken_meanwhile(trash_bin: Bin) -> None:
    w = trash_bin.world
    trash_bin.deletes.delete_project(w.owner, w.project_id)
    ProjectService(w.items).create(w.owner, ProjectCreate(name="mnist", entity="lab"))
    with pytest.raises(Conflict, match="its name was taken"):
        trash_bin.deletes.restore_project(w.owner, w.project_id)
    tombstone = w.items.get(f"DELETED#project#{w.project_id}", "DELETION")
    assert tombstone is not None and tombstone["state"] == "pending"  # nothing changed


def test_a_deleted_team_takes_its_projects_and_members_and_restores_them(trash_bin: Bin) -> None:
    from wanllmdb_functions.identity.authn import resolve_caller
    from wanllmdb_functions.identity.credentials import CredentialService
    from wanllmdb_functions.identity.orgs import OrgService

    w = trash_bin.world
    orgs, projects = OrgService(w.items), ProjectService(w.items)
    orgs.create_team(w.owner, "lab", "vision")
    orgs.set_member(w.owner, "vision", "bob", "admin")
    project, _ = projects.create(w.owner, ProjectCreate(name="seg", entity="vision"))
    _run(trash_bin, "t1", project.id)
    deletion = trash_bin.deletes.delete_team(w.owner, "vision")
    assert deletion.kind == "team"
    key = CredentialService(w.items, session_ttl_s=3600).create_key(w.viewer.user_id, "k").key
    bob = resolve_caller(w.items, key, session_ttl_s=3600)
    assert "vision" not in bob.entity_permissions  # the membership is gone with the team
    assert [t.name for t in orgs.list_teams(w.owner, "lab")] == []
    with pytest.raises(NotFound):
        projects.get(w.owner, project.id)
    with pytest.raises(Conflict, match="restore the team"):
        trash_bin.deletes.restore_project(w.owner, project.id)
    with pytest.raises(Exception, match="lacks org:admin"):
        trash_bin.deletes.restore_team(w.viewer, "vision")
    trash_bin.deletes.restore_team(w.owner, "vision")
    assert [t.name for t in orgs.list_teams(w.owner, "lab")] == ["vision"]
    assert projects.get(w.owner, project.id).name == "seg"
    assert w.runs.get(w.owner, "t1").project_id == project.id
    assert [m.username for m in orgs.list_members(w.owner, "vision")] == ["bob"]


def test_a_purged_project_takes_its_sweeps_and_reports_even_when_cut_off_midway(trash_bin: Bin) -> None:
    w = trash_bin.world
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "parameters": {"lr": {"min": 0.001, "max": 0.1}}}  # fmt: skip
    sweep = SweepService(w.items, w.runs).create(w.owner, w.project_id, SweepCreate(config=config))
    w.items.put({"pk": sweep_keys.sweep_pk(sweep.id), "sk": f"{sweep_keys.TRIAL_PREFIX}r1", "params": {}})
    w.items.put({"pk": sweep_keys.sweep_pk(sweep.id), "sk": f"{sweep_keys.AGENT_PREFIX}a1", "host": "h"})
    report, _ = ReportService(w.items).create(
        w.owner, w.project_id, ReportCreate(title="Findings", markdown="# Findings\n\nLoss went down.")
    )
    link = ShareLinkService(w.items).create(w.owner, report.id, ShareLinkIn(access="view", expires_in_s=3600))
    link_items = list(w.items.query_all(report_keys.links_of(report.id), index="gsi1"))
    assert link.id and len(link_items) == 1
    owned = [sweep_keys.sweep_pk(sweep.id), report_keys.report_of(report.id), link_items[0]["pk"]]
    assert all(w.items.query(pk).items for pk in owned)

    deletion = trash_bin.deletes.delete_project(w.owner, w.project_id)
    purger = trash_bin.purger()
    purger._items = _Crashing(w.items, left=4)  # type: ignore[assignment]  # dies in the items phase
    with pytest.raises(KeyboardInterrupt):
        purger.run_due()
    assert any(w.items.query(pk).items for pk in owned)  # cut off with some of it left
    # The next pass finds what is left through the heads, which go last, and finishes.
    assert trash_bin.purger().run_due() == [deletion.id]
    assert [pk for pk in owned if w.items.query(pk).items] == []
    assert list(w.items.query_all(sweep_keys.by_project(w.project_id), index="gsi1")) == []
    assert list(w.items.query_all(report_keys.of_project(w.project_id), index="gsi1")) == []
    live = w.items.query_all(sweep_keys.LIVE_SWEEPS, index="gsi2")
    assert [i for i in live if i["pk"] == sweep_keys.sweep_pk(sweep.id)] == []
