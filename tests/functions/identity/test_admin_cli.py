"""`wanllmdb admin create-user / create-key` on the local backend, as a user would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ...conftest import start_local_server

pytestmark = pytest.mark.slow


def wanllmdb(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", "admin", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "WANLLMDB_BACKEND": "local"},
        timeout=60,
        check=False,
    )


def test_cli_creates_users_and_keys_that_the_server_accepts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    made = wanllmdb(
        "create-user", "--username", "alice", "--password-stdin", data_dir=data_dir, stdin="s3cret-pass\n"
    )
    assert made.returncode == 0, made.stderr
    key = wanllmdb("create-key", "alice", "--name", "laptop", data_dir=data_dir).stdout.strip()
    assert key.startswith("wl_")
    taken = wanllmdb("create-user", "alice", data_dir=data_dir)
    assert taken.returncode != 0 and "already taken" in taken.stderr
    missing = wanllmdb("create-key", "--username", "nobody", data_dir=data_dir)
    assert missing.returncode != 0 and "create-user nobody" in missing.stderr
    bad = wanllmdb("create-user", "Not Valid", data_dir=data_dir)
    assert bad.returncode != 0 and "username" in bad.stderr
    server = start_local_server(data_dir)
    try:
        me = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {key}"}).json()
        assert me["username"] == "alice"
        login = httpx.post(
            f"{server.url}/api/auth/login", json={"username": "alice", "password": "s3cret-pass"}
        )
        assert login.status_code == 200
    finally:
        server.stop()
