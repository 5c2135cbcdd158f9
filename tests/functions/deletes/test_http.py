"""Deletes over real HTTP against `wanllmdb server` processes: hide, restore, the SDK's run.delete(),
the background purge, and a server killed in the middle of a purge that finishes it after restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import LocalServer, start_local_server

pytestmark = pytest.mark.slow


def _admin(server: LocalServer) -> httpx.Client:
    key = (server.data_dir / "admin-api-key").read_text().strip()
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _project(admin: httpx.Client, name: str) -> str:
    created = admin.post("/api/projects", json={"name": name})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _run(admin: httpx.Client, project_id: str, run_id: str, **body: object) -> None:
    created = admin.post(f"/api/projects/{project_id}/runs", json={"id": run_id, **body})
    assert created.status_code == 201, created.text


def _put_objects(server: LocalServer, project_id: str, run_id: str, n: int) -> Path:
    """`n` media objects of the run, written into the lake folder as the blob endpoint would."""
    folder = server.data_dir / "lake" / "media" / f"project={project_id}" / f"run={run_id}" / "img"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i:05d}.png").write_bytes(b"px")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    started = start_local_server(tmp_path_factory.mktemp("deletes") / "data")
    yield started
    started.stop()


def _unsigned(files: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**f, "url": urlsplit(f["url"]).path} for f in files["items"]]


def test_a_deleted_run_is_404_and_unlisted_until_restored_whole(server: LocalServer) -> None:
    with _admin(server) as admin:
        project = _project(admin, "undo")
        _run(admin, project, "r1", config={"lr": 0.1}, tags=["best"])
        assert admin.patch("/api/runs/r1/summary", json={"summary": {"loss": 0.5}}).status_code == 200
        _put_objects(server, project, "r1", 2)
        saved = server.data_dir / "lake" / "files" / f"project={project}" / "run=r1" / "model.txt"
        saved.parent.mkdir(parents=True)
        saved.write_bytes(b"weights")
        before = admin.get("/api/runs/r1").json()
        files_before = admin.get("/api/runs/r1/files").json()
        deleted = admin.delete("/api/runs/r1")
        assert deleted.status_code == 202, deleted.text
        receipt = deleted.json()
        assert receipt["state"] == "pending" and receipt["restore_path"].startswith("/api/runs/r1/restore")
        assert admin.get("/api/runs/r1").status_code == 404
        assert admin.get(f"/api/projects/{project}/runs").json()["total"] == 0
        assert admin.get("/api/runs/r1/files").status_code == 404
        again = admin.delete("/api/runs/r1")
        assert again.status_code == 202 and again.json()["id"] == receipt["id"]  # a retry: same deletion
        taken = admin.post(f"/api/projects/{project}/runs", json={"id": "r1"})
        assert taken.status_code == 409 and "restore" in taken.json()["error"]["message"]
        restored = admin.post(receipt["restore_path"])
        assert restored.status_code == 200 and restored.json()["state"] == "restored"
        assert admin.post("/api/runs/r1/restore").json()["id"] == receipt["id"]  # a retry: no change
        after = admin.get("/api/runs/r1").json()
        assert {k: v for k, v in after.items() if k != "updated_at"} == {
            k: v for k, v in before.items() if k != "updated_at"
        }
        assert admin.get(f"/api/projects/{project}/runs").json()["total"] == 1
        assert admin.get(f"/api/projects/{project}").json()["run_counts"]["running"] == 1
        # The same files; their download URLs are signed afresh, with an expiry that moves on.
        assert _unsigned(admin.get("/api/runs/r1/files").json()) == _unsigned(files_before)
        assert "model.txt" in str(files_before)


def test_a_deleted_project_takes_its_runs_and_views_and_comes_back(server: LocalServer) -> None:
    with _admin(server) as admin:
        project = _project(admin, "whole")
        _run(admin, project, "p1")
        assert admin.put(f"/api/projects/{project}/views/main", json={"spec": {}}).status_code in (200, 201)
        deleted = admin.delete(f"/api/projects/{project}")
        assert deleted.status_code == 202, deleted.text
        assert deleted.json()["name"].endswith("/whole")
        for path in (f"/api/projects/{project}", "/api/runs/p1", f"/api/projects/{project}/views"):
            assert admin.get(path).status_code == 404, path
        assert project not in [p["id"] for p in admin.get("/api/projects").json()["items"]]
        assert admin.post(f"/api/projects/{project}/restore").status_code == 200
        assert admin.get(f"/api/projects/{project}").json()["name"] == "whole"
        assert admin.get("/api/runs/p1").json()["project_id"] == project
        assert [v["name"] for v in admin.get(f"/api/projects/{project}/views").json()["views"]] == ["main"]


def test_a_deleted_team_and_its_projects_come_back_together(server: LocalServer) -> None:
    with _admin(server) as admin:
        assert admin.post("/api/orgs", json={"name": "acme-del"}).status_code == 201
        assert admin.post("/api/orgs/acme-del/teams", json={"name": "ml-del"}).status_code == 201
        team_project = admin.post("/api/projects", json={"name": "seg", "entity": "ml-del"}).json()["id"]
        assert admin.delete("/api/teams/ml-del").status_code == 202
        assert admin.get("/api/orgs/acme-del/teams").json()["items"] == []
        assert admin.get(f"/api/projects/{team_project}").status_code == 404
        assert admin.post(f"/api/projects/{team_project}/restore").status_code == 409  # restore the team
        assert admin.post("/api/teams/ml-del/restore").status_code == 200
        assert admin.get(f"/api/projects/{team_project}").json()["entity"] == "ml-del"


def test_the_sdk_deletes_and_restores_a_run_as_wandb_does(server: LocalServer) -> None:
    import wanllmdb

    with _admin(server) as admin:
        project = _project(admin, "sdk-del")
        _run(admin, project, "s1", config={"lr": 0.2})
        key = admin.headers["Authorization"].removeprefix("Bearer ")
    with wanllmdb.Api(overrides={"base_url": server.url, "api_key": key}) as api:
        run = api.run("admin/sdk-del/s1")
        assert run.delete()["state"] == "pending"
        with pytest.raises(wanllmdb.ApiError):
            api.run("admin/sdk-del/s1")
        assert run.restore().config == {"lr": 0.2}


def _job_state(admin: httpx.Client, project: str) -> str:
    answer = admin.post(f"/api/projects/{project}/restore")
    return "gone" if answer.status_code == 410 else str(answer.status_code)


def test_the_background_purge_survives_a_kill_mid_way_and_a_restore_after_it_is_410(tmp_path: Path) -> None:
    env = {"WANLLMDB_DELETE_GRACE_S": "0", "WANLLMDB_REAPER_INTERVAL_S": "1"}
    first = start_local_server(tmp_path / "data", env=env)
    try:
        with _admin(first) as admin:
            project = _project(admin, "doomed")
            _run(admin, project, "big")
            folder = _put_objects(first, project, "big", 4000)
            assert admin.delete(f"/api/projects/{project}").status_code == 202
            # Kill -9 the server as soon as the purge has removed some objects but not all.
            deadline, left = time.monotonic() + 60, 4000
            while time.monotonic() < deadline and left == 4000:
                left = sum(1 for _ in folder.iterdir()) if folder.exists() else 0
                time.sleep(0.005)
            first.stop(kill=True)
        left = sum(1 for _ in folder.iterdir()) if folder.exists() else 0
        assert 0 < left < 4000, f"the purge was not caught mid-way ({left} objects left)"
    finally:
        first.stop(kill=True)
    second = start_local_server(tmp_path / "data", env=env)
    try:
        with _admin(second) as admin:
            deadline = time.monotonic() + 60
            while folder.exists() and any(folder.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not folder.exists() or not any(folder.iterdir())
            while _job_state(admin, project) != "gone" and time.monotonic() < deadline:
                time.sleep(0.2)
            gone = admin.post(f"/api/projects/{project}/restore")
            assert gone.status_code == 410 and gone.json()["error"]["code"] == "gone"
            assert "purged after its grace period" in gone.json()["error"]["message"]
            assert admin.get("/api/runs/big").status_code == 404
            purges = admin.get("/api/audit", params={"action": "PURGE"}).json()["items"]
            assert [(e["action"], e["target"], e["via"]) for e in purges] == [
                ("PURGE project", f"/api/projects/{project}", "purge")
            ]
    finally:
        second.stop()
