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
