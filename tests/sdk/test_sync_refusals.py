"""Sync writes only to the run its spool created or resumed; a spool that never can be synced says so.

Against a real local server: a refused init() leaves nothing behind, an old spool of a refused create
is marked unsyncable (status shows it, sync --prune removes it), and a spool whose run moved on to a
later attempt is refused instead of replayed over it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, sdk_env
from wanllmdb.ingest.spool import RunDir

pytestmark = pytest.mark.slow


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def online(server: LocalServer, spool: Path, **kwargs: Any) -> wanllmdb.Run:
    settings = {
        "base_url": server.url,
        "api_key": admin_key(server.data_dir),
        "system_metrics": False,
        "console": "off",
        "git": False,
    }
    return wanllmdb.init(project="refusals", dir=spool, settings=settings, **kwargs)


def server_run(server: LocalServer, run_id: str) -> dict[str, Any]:
    resp = httpx.get(
        f"{server.url}/api/runs/{run_id}",
        headers={"Authorization": f"Bearer {admin_key(server.data_dir)}"},
    )
    resp.raise_for_status()
    data: dict[str, Any] = resp.json()
    return data


def run_dirs(spool: Path) -> list[Path]:
    return sorted((spool / "wanllmdb").glob("run-*"))


def test_a_refused_init_leaves_nothing_to_sync(module_server: LocalServer, tmp_path: Path) -> None:
    first = online(module_server, tmp_path / "a")
    first.log({"x": 1.0})
    first.finish()
    spool = tmp_path / "b"
    with pytest.raises(wanllmdb.ServerRefused, match="409"):
        online(module_server, spool, id=first.id)  # no resume=: the id is taken
    assert run_dirs(spool) == []
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)
    out = cli("sync", str(spool), env=env)
    assert out.returncode == 0 and "No run dirs" in out.stdout
    after = server_run(module_server, first.id)
    assert after["state"] == "finished" and after["attempt"] == 0


def test_a_spool_of_a_refused_create_is_unsyncable_until_pruned(
    module_server: LocalServer, tmp_path: Path
) -> None:
    first = online(module_server, tmp_path / "a")
    first.finish()
    # What a refused init() used to leave: a create of a taken id, then a crashed state.
    spool = tmp_path / "b"
    stale = wanllmdb.init(
        project="refusals", id=first.id, mode="offline", dir=spool, settings={"system_metrics": False}
    )
    stale.finish(state="crashed")
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)

    out = cli("sync", str(spool), env=env)
    assert out.returncode != 0
    assert "unsyncable" in out.stdout and "never its run" in out.stdout
    assert "left for `wanllmdb sync`" not in out.stdout + out.stderr
    after = server_run(module_server, first.id)
    assert after["state"] == "finished" and after["attempt"] == 0  # untouched

    status = cli("status", str(spool), env=env)
    assert f"unsyncable: {first.id}" in status.stdout and "pending:" not in status.stdout
    again = cli("sync", str(spool), env=env)
    assert "unsyncable" in again.stdout and " 0 uploaded" in again.stdout
    pruned = cli("sync", "--prune", str(spool), env=env)
    assert "removed" in pruned.stdout and run_dirs(spool) == []
    assert server_run(module_server, first.id)["state"] == "finished"


def test_sync_refuses_a_spool_whose_run_moved_on_to_a_later_attempt(
    module_server: LocalServer, tmp_path: Path
) -> None:
    first = online(module_server, tmp_path / "a")
    first.log({"x": 1.0})
    first.finish()
    resumed = online(module_server, tmp_path / "b", id=first.id, resume="allow")
    assert resumed.resumed and resumed.attempt == 1
    resumed.finish()
    # The first spool gets something pending after the run moved on (as if its process had died).
    assert first.dir is not None
    rd = RunDir(first.dir)
    n = max(op["n"] for op in rd.read_ops()) + 1
    rd.append_op(n, "summary", {"summary": {"late": 1}})
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), tmp_path / "a")

    out = cli("sync", str(first.dir), env=env)
    assert out.returncode != 0 and "moved on without this spool" in out.stdout
    after = server_run(module_server, first.id)
    assert after["state"] == "finished" and after["attempt"] == 1 and "late" not in after["summary"]
    assert json.loads((first.dir / "unsyncable.json").read_text())["reason"].startswith(f"run {first.id}")


def test_a_preempting_run_that_died_is_synced_as_paused(module_server: LocalServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(project="refusals", mode="offline", dir=spool, settings={"system_metrics": False})
    run.mark_preempting()
    run.log({"x": 1.0})
    run.finish()
    assert run.dir is not None
    ops = (run.dir / "ops.jsonl").read_text().splitlines()
    (run.dir / "ops.jsonl").write_text("\n".join(ops[:-1]) + "\n")  # as if killed before finish
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)
    out = cli("sync", str(spool), env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert server_run(module_server, run.id)["state"] == "paused"


def test_status_and_sync_agree_about_a_synced_dir(module_server: LocalServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(project="refusals", mode="offline", dir=spool, settings={"system_metrics": False})
    run.log({"x": 1.0})
    run.finish()
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)
    assert f"pending: {run.id}" in cli("status", str(spool), env=env).stdout
    assert cli("sync", str(spool), env=env).returncode == 0
    status = cli("status", str(spool), env=env).stdout
    assert "pending:" not in status and "unsyncable" not in status
    assert "nothing to do" in cli("sync", str(spool), env=env).stdout
