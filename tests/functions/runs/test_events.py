"""Run-finished listeners belong to one app, never to the whole process."""

from __future__ import annotations

from pathlib import Path

import pytest

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.compaction import jobs as compaction_jobs
from wanllmdb_functions.core.settings import load_settings
from wanllmdb_functions.ports.events import RunFinished
from wanllmdb_functions.runs.models import RunCreate, RunPatch
from wanllmdb_functions.runs.service import RunService
from wanllmdb_functions.services import compaction_on_finish

from .conftest import build_world


def test_a_finish_in_one_app_reaches_only_that_apps_listeners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bug this guards: the local server's compaction listener was process-wide, so a runs
    # Lambda loaded in the same process (CI's test run) also compacted its runs in-process, racing
    # the compaction Lambda it had just queued them for.
    submitted: list[str] = []
    monkeypatch.setattr(compaction_jobs.WORKER, "submit", lambda blobs, project, run: submitted.append(run))
    local = AppState(load_settings(data_dir=tmp_path / "local"))
    assert any("on run finish" in line for line in compaction_on_finish(local))
    lambda_app = AppState(load_settings(data_dir=tmp_path / "lambda"))
    seen: list[RunFinished] = []
    lambda_app.run_finished.subscribe(seen.append)

    storage = lambda_app.storage
    world = build_world(storage.items, storage.blobs, lambda_app.settings)
    runs = RunService.of(lambda_app)
    runs.create(world.owner, world.project_id, RunCreate(id="r1"))
    runs.patch(world.owner, "r1", RunPatch(state="finished"))

    assert [(e.run_id, e.state) for e in seen] == [("r1", "finished")]
    assert submitted == []

    # The local app's own finishes still reach its compaction worker.
    storage = local.storage
    world = build_world(storage.items, storage.blobs, local.settings)
    runs = RunService.of(local)
    runs.create(world.owner, world.project_id, RunCreate(id="r2"))
    runs.patch(world.owner, "r2", RunPatch(state="failed"))
    assert submitted == ["r2"] and len(seen) == 1


def test_a_failing_listener_never_fails_the_finish(tmp_path: Path) -> None:
    app = AppState(load_settings(data_dir=tmp_path))

    def broken(event: RunFinished) -> None:
        raise RuntimeError("listener bug")

    seen: list[str] = []
    app.run_finished.subscribe(broken)
    app.run_finished.subscribe(lambda e: seen.append(e.run_id))
    world = build_world(app.storage.items, app.storage.blobs, app.settings)
    runs = RunService.of(app)
    runs.create(world.owner, world.project_id, RunCreate(id="r1"))
    assert runs.patch(world.owner, "r1", RunPatch(state="crashed")).state == "crashed"
    assert seen == ["r1"]


def test_reset_rebuilds_settings_and_keeps_listeners(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANLLMDB_DATA_DIR", str(tmp_path / "first"))
    app = AppState()
    listener = app.run_finished.subscribe(lambda e: None)
    assert app.settings.data_dir == tmp_path / "first"
    monkeypatch.setenv("WANLLMDB_DATA_DIR", str(tmp_path / "second"))
    app.reset()
    assert app.settings.data_dir == tmp_path / "second"
    app.run_finished.unsubscribe(listener)
    app.run_finished.unsubscribe(listener)  # a second unsubscribe is a no-op
