"""`wanllmdb sync` against a real server: offline runs upload fully, and a second sync changes nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, lake_table, sdk_env, wait_compacted

pytestmark = pytest.mark.slow


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def lake_snapshot(data_dir: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in (data_dir / "lake").rglob("*")
        if p.is_file()
    }


def settled_snapshot(
    data_dir: Path, quiet_s: float = 1.5, timeout_s: float = 30.0
) -> dict[str, tuple[int, int]]:
    """The lake once nothing in it has changed for `quiet_s` (background index rebuilds have landed)."""
    deadline = time.monotonic() + timeout_s
    snapshot = lake_snapshot(data_dir)
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        again = lake_snapshot(data_dir)
        if again == snapshot:
            return snapshot
        snapshot = again
    raise AssertionError(f"the lake kept changing for {timeout_s} s")


def test_offline_runs_sync_in_parallel_and_a_second_sync_changes_nothing(
    module_server: LocalServer, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    ids = []
    for r in range(3):
        run = wanllmdb.init(
            project="sync",
            mode="offline",
            dir=spool,
            config={"r": r},
            settings={"system_metrics": False, "flush_max_values": 300},
        )
        for i in range(400):
            run.log({"a": float(i), "b": float(r)})
        run.summary["best"] = r
        run.finish()
        ids.append(run.id)
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)

    first = cli("sync", str(spool), env=env)
    assert first.returncode == 0, first.stderr + first.stdout
    for r, run_id in enumerate(ids):
        t = lake_table(module_server.data_dir, run_id)
        assert t is not None and t.num_rows == 800
        assert sorted(t["step"].to_pylist()) == sorted([*range(400), *range(400)])
        rec = httpx.get(
            f"{module_server.url}/api/runs/{run_id}",
            headers={"Authorization": f"Bearer {admin_key(module_server.data_dir)}"},
        ).json()
        assert rec["state"] == "finished" and rec["config"] == {"r": r} and rec["summary"]["best"] == r

    # Finishing a run compacts it in the background, and each compaction rebuilds the project's run
    # index after it; let both end before comparing snapshots.
    for run_id in ids:
        wait_compacted(module_server.data_dir, run_id)
    before = settled_snapshot(module_server.data_dir)
    second = cli("sync", str(spool), env=env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("nothing to do") == 3
    assert lake_snapshot(module_server.data_dir) == before


def test_status_lists_what_is_left_to_sync(module_server: LocalServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(project="sync", mode="offline", dir=spool, settings={"system_metrics": False})
    run.log({"a": 1.0})
    run.finish()
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), spool)
    out = cli("status", env=env)
    assert out.returncode == 0, out.stderr
    assert "health:  ok" in out.stdout and f"pending: {run.id}" in out.stdout
    assert cli("sync", env=env).returncode == 0  # default: $WANLLMDB_DIR
    assert "1 local, 0 with data to sync" in cli("status", env=env).stdout


def test_login_verifies_and_stores_the_key_0600(module_server: LocalServer, tmp_path: Path) -> None:
    env = sdk_env(module_server.url, "", tmp_path)
    env.pop("WANLLMDB_API_KEY")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "cfg")
    bad = cli("login", "wl_wrong", env=env)
    assert bad.returncode != 0 and "did not accept this API key" in bad.stderr
    good = cli("login", admin_key(module_server.data_dir), env=env)
    assert good.returncode == 0, good.stderr
    stored = tmp_path / "cfg" / "wanllmdb" / "credentials.json"
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert "credentials.json" in cli("status", env=env).stdout
