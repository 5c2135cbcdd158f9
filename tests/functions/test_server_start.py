"""`wanllmdb server` start-up: a busy port is one clear message and exit code 2, before the banner."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # starts the server's CLI as a process


def test_busy_port_is_named_before_the_banner_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "wanllmdb.cli",
                "server",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "data"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert f"port {port} on 127.0.0.1 is already in use" in out
    assert "--port" in out and "WANLLMDB_PORT" in out
    assert "wanLLMDB server:" not in out  # no banner for a server that never started
    assert "Errno" not in out and "Traceback" not in out


def test_busy_port_through_the_environment_is_named_too(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "wanllmdb.cli", "server", "--data-dir", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env={**os.environ, "WANLLMDB_PORT": str(port)},
        )
    assert done.returncode == 2, done.stderr
    assert f"port {port}" in done.stderr


_STARTED_APP = """
import gc, sys
from pathlib import Path
from fastapi.testclient import TestClient
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.local_server import build_local_app

root = Path(sys.argv[1])
before = gc.get_threshold(), gc.get_freeze_count()
settings = Settings(data_dir=root / "data", web_dist=root / "no-web")
with TestClient(build_local_app(settings, owns_process=sys.argv[2] == "1")) as client:
    client.get("/api/health").raise_for_status()
    after = gc.get_threshold(), gc.get_freeze_count()
    print(before == after, after[0][0], after[1] > 0)
"""


@pytest.mark.parametrize("owns_process", [True, False])
def test_only_the_server_process_tunes_its_garbage_collector(tmp_path: Path, owns_process: bool) -> None:
    """A started server freezes its start-up heap and collects young objects in larger sweeps (a full
    collection paused every request); an app a test builds leaves the test's process alone."""
    done = subprocess.run(
        [sys.executable, "-c", _STARTED_APP, str(tmp_path), "1" if owns_process else "0"],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=True,
    )  # fmt: skip
    unchanged, young, frozen = done.stdout.split()[-3:]
    if owns_process:
        assert (unchanged, young, frozen) == ("False", "50000", "True")
    else:
        assert unchanged == "True"
