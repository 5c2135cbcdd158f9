"""The SDK against a real `wanllmdb server` process: runs, config, summary, chunks, files, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, lake_table
from wanllmdb.errors import ServerRefused
from wanllmdb.run import Run

pytestmark = pytest.mark.slow


def start(server: LocalServer, tmp_path: Path, **kwargs: Any) -> Run:
    settings = {
        "base_url": server.url,
        "api_key": admin_key(server.data_dir),
        "flush_interval_s": 0.2,
        "system_interval_s": 1.0,
        **kwargs.pop("settings", {}),
    }
    kwargs.setdefault("project", "sdk-online")
    return wanllmdb.init(dir=tmp_path, settings=settings, **kwargs)


def get_run(server: LocalServer, run_id: str) -> dict[str, Any]:
    r = httpx.get(
        f"{server.url}/api/runs/{run_id}", headers={"Authorization": f"Bearer {admin_key(server.data_dir)}"}
    )
    r.raise_for_status()
    return dict(r.json())


def test_an_online_run_lands_in_the_lake_and_the_run_record(
    module_server: LocalServer, tmp_path: Path
) -> None:
    run = start(
        module_server, tmp_path, config={"lr": 0.01}, tags=["smoke"], notes="first",
        settings={"heartbeat_interval_s": 0.3},
    )  # fmt: skip
    for i in range(500):
        run.log({"loss": 1.0 / (i + 1), "nested": {"acc": i / 500}})
    run.config.update({"epochs": 2})
    run.define_metric("loss", summary="min")
    (tmp_path / "model.txt").write_text("weights")
    run.save(tmp_path / "model.txt", policy="now")
    print("hello lake")
    import time

    time.sleep(1.2)  # at least one system sample
    run.finish()
    assert run.synced is True

    t = lake_table(module_server.data_dir, run.id)
    assert t is not None and t.num_rows == 1000
    assert sorted(set(t["key"].to_pylist())) == ["loss", "nested.acc"]
    loss_steps = [s for s, k in zip(t["step"].to_pylist(), t["key"].to_pylist(), strict=True) if k == "loss"]
    assert sorted(loss_steps) == list(range(500))
    system = lake_table(module_server.data_dir, run.id, "system")
    assert system is not None and "system.cpu" in system["key"].to_pylist()
    logs = lake_table(module_server.data_dir, run.id, "logs")
    assert logs is not None and "hello lake" in logs["text"].to_pylist()
    files = list(module_server.data_dir.glob(f"lake/files/project=*/run={run.id}/*"))
    assert {f.name for f in files} >= {"model.txt", "wanllmdb-metadata.json", "wanllmdb-metrics.json"}

    record = get_run(module_server, run.id)
    assert record["state"] == "finished" and record["attempt"] == 0
    assert record["config"] == {"lr": 0.01, "epochs": 2}
    assert record["summary"]["loss"] == {"min": 0.002} and record["summary"]["_step"] == 499
    assert record["tags"] == ["smoke"] and record["notes"] == "first"
    assert record["metadata"]["python"] and "host" in record["metadata"]
    assert record["heartbeat_at"] > record["created_at"]  # the heartbeat thread reached the server


def test_resume_continues_the_step_counter_and_keeps_earlier_steps(
    module_server: LocalServer, tmp_path: Path
) -> None:
    first = start(module_server, tmp_path, id="resume-e2e")
    for i in range(10):
        first.log({"x": float(i)})
    first.finish()
    second = start(module_server, tmp_path, id="resume-e2e", resume="must")
    assert second.attempt == 1 and second.step == 10
    with pytest.warns(UserWarning, match="below the run's current step"):
        second.log({"x": 100.0}, step=5)  # re-logging an earlier step after the resume is kept
    second.log({"x": 10.0}, step=10)
    second.finish()
    t = lake_table(module_server.data_dir, "resume-e2e")
    assert t is not None
    rows = sorted(zip(t["step"].to_pylist(), t["attempt"].to_pylist(), t["value"].to_pylist(), strict=True))
    assert (5, 0, 5.0) in rows and (5, 1, 100.0) in rows and (10, 1, 10.0) in rows
    assert len(rows) == 12
    assert get_run(module_server, "resume-e2e")["state"] == "finished"


def test_resume_must_of_a_missing_run_and_a_taken_id_fail_init(
    module_server: LocalServer, tmp_path: Path
) -> None:
    with pytest.raises(ServerRefused, match="drop resume='must'"):
        start(module_server, tmp_path, id="never-was", resume="must")
    assert wanllmdb.run is None
    run = start(module_server, tmp_path, id="taken-id")
    run.finish()
    with pytest.raises(ServerRefused, match="pass resume='allow'"):
        start(module_server, tmp_path, id="taken-id")


def test_a_refused_api_key_fails_init_with_the_fix(module_server: LocalServer, tmp_path: Path) -> None:
    with pytest.raises(ServerRefused, match="wanllmdb login"):
        start(module_server, tmp_path, settings={"api_key": "wl_not_a_key"})


def test_server_unreachable_at_init_spools_and_finish_is_bounded(tmp_path: Path) -> None:
    import time

    from tests.conftest import free_port

    run = wanllmdb.init(
        project="p",
        dir=tmp_path,
        settings={
            "base_url": f"http://127.0.0.1:{free_port()}",
            "api_key": "wl_x",
            "init_timeout_s": 1.0,
            "finish_timeout_s": 1.0,
            "system_metrics": False,
        },
    )
    run.log({"a": 1.0})
    t0 = time.monotonic()
    run.finish()
    assert time.monotonic() - t0 < 10
    assert run.synced is False
    assert run.dir is not None and list((run.dir / "chunks").glob("history-*.parquet"))


def test_a_slow_git_diff_lands_before_the_final_state_and_never_reopens_the_run(
    module_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A big working-tree diff took longer than a short run: diff.patch landed after finish() had sent
    # the final state, so it was uploaded into a finished run (reopening it) or left for `sync`.
    import time

    from wanllmdb import session

    def slow_diff(_: Path) -> str:
        time.sleep(1.0)
        return "diff --git a/train.py b/train.py\n+lr = 0.2"

    monkeypatch.setattr(session, "git_diff", slow_diff)
    run = start(module_server, tmp_path, id="slow-diff", settings={"git": True})
    run.log({"loss": 1.0})
    run.finish()
    assert run.synced
    server_run = get_run(module_server, "slow-diff")
    assert (server_run["state"], server_run["attempt"]) == ("finished", 0)
    files = httpx.get(
        f"{module_server.url}/api/runs/slow-diff/files",
        headers={"Authorization": f"Bearer {admin_key(module_server.data_dir)}"},
    ).json()["items"]
    assert "diff.patch" in {f["path"] for f in files}


def test_a_run_without_a_name_takes_the_memorable_name_the_server_gave(
    module_server: LocalServer, tmp_path: Path
) -> None:
    run = start(module_server, tmp_path)
    import re

    assert run.name is not None and re.fullmatch(r"[a-z]+-[a-z]+-\d+", run.name), run.name
    run.finish()
    assert get_run(module_server, run.id)["name"] == run.name
