"""A throwaway PostgreSQL for tests: initdb in a temp dir, listening on 127.0.0.1 only.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user (which
Debian's `postgresql` package creates; `make pg` installs it) or else `nobody`, through runuser.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["find_pg_bin", "postgres_server", "session_postgres"]

SUPERUSER = "wanllmdb"


def find_pg_bin() -> Path | None:
    """The newest installed server's bin folder (Debian keeps them in /usr/lib/postgresql/N/bin)."""
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if candidates:
        newest = max(candidates, key=_major)
        return Path(newest).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _major(initdb: str) -> int:
    name = Path(initdb).parent.parent.name  # /usr/lib/postgresql/<major>/bin/initdb
    return int(name) if name.isdigit() else -1


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user exists to run PostgreSQL")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server(bin_dir: Path, *, durable: bool = False) -> Iterator[str]:
    """Start a fresh cluster; yields a DSN for database `postgres` as a trusted superuser.

    Tests run it without fsync; `durable` keeps PostgreSQL's own defaults (benchmarks compare it with
    SQLite, which syncs every commit)."""
    prefix = _run_as()
    # Not under pytest's tmp_path: its parents are private to root, and the server user must reach it.
    root = Path(tempfile.mkdtemp(prefix="wl-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if prefix:
        user = pwd.getpwnam(prefix[2])
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
             "--locale=C", "--encoding=UTF8", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
             "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c max_connections=200"
             + ("" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
             "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as exc:
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"test PostgreSQL failed: {exc.stderr.decode()[-2000:]}\n{tail}") from exc
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )
            deadline = time.monotonic() + 10
            while (data / "postmaster.pid").exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def session_postgres() -> Iterator[str]:
    """One PostgreSQL per test session (import this fixture into a conftest to use it)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found (run `make pg` to install Debian's postgresql)")
    with postgres_server(bin_dir) as dsn:
        yield dsn
