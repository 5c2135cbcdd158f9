"""The local server killed with kill -9 at random moments while 16 runs log, and restarted each time
(issue 22, part 2): every run finishes on its own (no sync), every (step, key) is in the lake exactly
once, no partial object is visible under the lake's keys, and SQLite opens clean."""

from __future__ import annotations

import random
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

from tests.conftest import LocalServer, start_local_server
from tests.lake_rows import count_rows
from tests.sdk.conftest import admin_key, sdk_env
from tests.sdk.test_reliability import progress_of, trainer
from wanllmdb_functions.app.storage import SQLITE_FILE, build_storage
from wanllmdb_functions.core.settings import load_settings

pytestmark = pytest.mark.slow

RUNS = 16
STEPS = 3000
KEYS = [f"m{i}" for i in range(5)]  # what train_script.py logs
KILLS = 3


def test_kill_9_of_the_server_while_16_runs_log_then_restart_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(22)
    data_dir = tmp_path / "data"
    server = start_local_server(data_dir)
    port = int(server.url.rsplit(":", 1)[1])
    key = admin_key(data_dir)
    progress = [tmp_path / f"p{i}" for i in range(RUNS)]
    procs = [
        trainer(STEPS, 0.002, progress[i], sdk_env(server.url, key, tmp_path / f"spool{i}"), finish_s=180)
        for i in range(RUNS)
    ]
    try:
        _wait(lambda: all(p.exists() and len(progress_of(p)) > 50 for p in progress), 120, "runs to start")
        logging_at_kill = []
        for kill in range(KILLS):
            time.sleep(rng.uniform(0.5, 3.0))  # a random moment: mid-grant, mid-PUT, mid-commit...
            logging_at_kill.append(sum(len(progress_of(p)) < STEPS for p in progress))
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=10)
            time.sleep(rng.uniform(0.2, 1.5))  # down for a while: the runs keep logging, uploads back off
            server = _restart(data_dir, port, kill)
        outputs = [proc.communicate(timeout=400) for proc in procs]
        assert logging_at_kill[0] == RUNS, f"runs still logging at each kill: {logging_at_kill}"
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    try:
        for proc, (out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err
            assert "FINISHED synced=True" in out, out + err  # every run completed on its own
        run_ids = [out.split("RUN_ID ", 1)[1].split()[0] for out, _ in outputs]
        headers = {"Authorization": f"Bearer {key}"}
        storage = build_storage(load_settings(data_dir=data_dir, public_url=server.url))
        for run_id in run_ids:
            run = httpx.get(f"{server.url}/api/runs/{run_id}", headers=headers, timeout=30).json()
            assert run["state"] == "finished", run
            lake = count_rows(storage.blobs, run["project_id"], run_id)
            assert lake.lost(range(STEPS), KEYS) == 0, f"run {run_id} lost rows"
            assert lake.duplicated == 0 and lake.rows == STEPS * len(KEYS)

        # No partial object: every Parquet object under the lake's keys opens whole, and no temp file
        # of the blob store (put-*, part-tmp-*) or of a compaction sits among them.
        lake_files = [p for p in (data_dir / "lake").rglob("*") if p.is_file()]
        assert lake_files
        for path in lake_files:
            assert not path.name.startswith((".", "put-", "part-tmp-")), f"temp file in the lake: {path}"
            if path.suffix == ".parquet":
                pq.read_metadata(path)  # raises on a file cut short
        with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        server.stop()


def _restart(data_dir: Path, port: int, kill: int) -> LocalServer:
    try:
        return start_local_server(data_dir, port=port)
    except RuntimeError as exc:
        raise AssertionError(f"the server did not come back after kill {kill + 1}: {exc}") from None


def _wait(ready: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
