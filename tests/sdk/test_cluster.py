"""A self-hosted cluster: two `wanllmdb server` replicas sharing one PostgreSQL item store, one file://
lake and one URL-signing secret, with SDK runs spread across both (docs/self-hosted-cluster.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import LocalServer, start_local_server
from tests.postgres_server import session_postgres  # noqa: F401  (a fixture, shared by name)
from tests.sdk.conftest import admin_key, lake_table, run_sync, sdk_env

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("train_script.py")
STEPS = 200
RUNS = 16
WRITER = """
import sys, wanllmdb
# A generous init timeout: on a loaded machine a slow start would turn the run offline, and an
# offline run spools its artifact instead of committing a version.
settings = {"system_metrics": False, "console": "off", "git": False, "init_timeout_s": 60}
run = wanllmdb.init(project="race", settings=settings)
art = wanllmdb.Artifact("shared-name", "dataset")
with art.new_file("who.txt") as fh:
    fh.write(sys.argv[1])
run.log_artifact(art).wait()
print(art.version, flush=True)
run.finish()
"""


@pytest.fixture
def cluster(session_postgres: str, tmp_path: Path) -> Iterator[tuple[LocalServer, LocalServer, Path]]:  # noqa: F811
    """Two replicas on a fresh database; yields them and the shared data folder (its `lake/`)."""
    with psycopg.connect(session_postgres, autocommit=True) as conn:
        conn.execute("CREATE DATABASE cluster")
    dsn = session_postgres.rsplit("/", 1)[0] + "/cluster"
    shared = tmp_path / "shared"
    (shared / "lake").mkdir(parents=True)
    env = {
        "WANLLMDB_ITEM_STORE_URL": dsn,
        "WANLLMDB_BLOB_URL": f"file://{shared / 'lake'}",
        "WANLLMDB_BLOB_SIGNING_SECRET": "5e" * 32,
    }
    a = start_local_server(tmp_path / "a", env=env)
    try:
        b = start_local_server(tmp_path / "b", env=env)
        try:
            yield a, b, shared
        finally:
            b.stop()
    finally:
        a.stop()
        with psycopg.connect(session_postgres, autocommit=True) as conn:
            conn.execute("DROP DATABASE cluster WITH (FORCE)")


def test_sixteen_runs_across_two_replicas_lose_no_rows_and_share_one_numbering(
    cluster: tuple[LocalServer, LocalServer, Path], tmp_path: Path
) -> None:
    a, b, shared = cluster
    assert not (a.data_dir / "wanllmdb.sqlite3").exists()  # the items live in PostgreSQL only
    procs = []
    for i in range(RUNS):
        server = (a, b)[i % 2]
        spool = tmp_path / f"spool{i}"
        env = sdk_env(server.url, admin_key(server.data_dir), spool)
        cmd = [sys.executable, str(SCRIPT), str(STEPS), "0", str(tmp_path / f"progress{i}"), "online", "60"]
        procs.append((spool, subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    run_ids = []
    for _, proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()
        run_ids.append(re.search(r"RUN_ID (\S+)", out.decode()).group(1))  # type: ignore[union-attr]
    # A run may leave a chunk for sync on a loaded box; sync is idempotent, so it costs nothing otherwise.
    run_sync(sdk_env(b.url, admin_key(b.data_dir), tmp_path), *[spool for spool, _ in procs])
    for run_id in run_ids:
        table = lake_table(shared, run_id)
        assert table is not None and table.num_rows == STEPS * 5, run_id
        keys = zip(table["step"].to_pylist(), table["key"].to_pylist(), strict=True)
        assert len(set(keys)) == STEPS * 5
    # Either replica lists all sixteen, and the generated names' run numbers are 1..16 exactly once.
    for server in (a, b):
        listed = httpx.get(
            f"{server.url}/api/projects/admin:reliability/runs",
            params={"per_page": 50},
            headers={"Authorization": f"Bearer {admin_key(server.data_dir)}"},
            timeout=30,
        ).json()
        assert sorted(r["id"] for r in listed["items"]) == sorted(run_ids)
        numbers = sorted(int(r["name"].rsplit("-", 1)[1]) for r in listed["items"])
        assert numbers == list(range(1, RUNS + 1))


def test_artifact_writers_on_both_replicas_get_distinct_versions(
    cluster: tuple[LocalServer, LocalServer, Path], tmp_path: Path
) -> None:
    a, b, _ = cluster
    procs = []
    for i in range(6):
        server = (a, b)[i % 2]
        env = sdk_env(server.url, admin_key(server.data_dir), tmp_path / f"w{i}", WANLLMDB_SILENT="true")
        env["WANLLMDB_CACHE_DIR"] = str(tmp_path / f"cache{i}")
        cmd = [sys.executable, "-c", WRITER, f"writer {i}"]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    versions = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        versions.append(out.decode().strip())
    assert sorted(versions) == [f"v{i}" for i in range(6)]
