"""kill -9 of the server (and of a writer) during a stream of blob and item writes, then a restart:
no half-written object is visible, and SQLite opens clean."""

from __future__ import annotations

import hashlib
import random
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_local_server
from wanllmdb_functions.app.storage import SQLITE_FILE, build_storage
from wanllmdb_functions.core.settings import load_settings

# Each object's first 64 bytes are the sha256 of the rest, so a partial object is detectable.
WRITER = textwrap.dedent(
    """
    import hashlib, os, sys, httpx
    from pathlib import Path
    from wanllmdb_functions.core.settings import load_settings
    from wanllmdb_functions.app.storage import build_storage

    data_dir, url = Path(sys.argv[1]), sys.argv[2]
    storage = build_storage(load_settings(data_dir=data_dir, public_url=url))
    client = httpx.Client(timeout=10)
    i = 0
    while True:
        body = os.urandom(256 * 1024 + i)
        payload = hashlib.sha256(body).hexdigest().encode() + body
        key = f"metrics/project=p/run=crash/stream=history/chunk-a0000-{i:09d}.parquet"
        grant = storage.blobs.presign_put(key, expires_s=60, content_length=len(payload),
                                          content_type="application/octet-stream")
        def slow(p=payload):
            for start in range(0, len(p), 32 * 1024):
                yield p[start:start + 32 * 1024]
        try:
            client.put(grant.url, content=slow(), headers=grant.headers)
        except httpx.HTTPError:
            pass
        storage.items.put({"pk": "CRASH", "sk": f"{i:09d}", "key": key, "blob": "x" * 2000})
        storage.items.update("CRASH", "counter", add={"n": 1})
        i += 1
        print(i, flush=True)
    """
)


def _wait_for_lines(process: subprocess.Popen[bytes], count: int, *, timeout_s: float) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    seen = 0
    while seen < count:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "writer made no progress"
        ready, _, _ = select.select([process.stdout], [], [], remaining)
        if ready and process.stdout.readline():
            seen += 1
        assert process.poll() is None, "writer died before the kill"


@pytest.mark.slow
def test_kill_9_during_writes_leaves_no_partial_object_and_clean_sqlite(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_local_server(data_dir)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), server.url], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    # Kill only once every writer is mid-stream (slow machines import slowly), at a random point.
    for writer in writers:
        _wait_for_lines(writer, 3, timeout_s=90)
    time.sleep(random.uniform(0.05, 0.4))
    server.process.send_signal(signal.SIGKILL)
    time.sleep(0.3)
    for writer in writers:
        writer.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    for writer in writers:
        writer.wait(timeout=10)

    restarted = start_local_server(data_dir)
    try:
        assert httpx.get(f"{restarted.url}/api/health").json()["backend"] == "local"
        storage = build_storage(load_settings(data_dir=data_dir, public_url=restarted.url))
        objects = list(storage.blobs.list("metrics/project=p/run=crash/"))
        assert objects, "the writers stored nothing before the kill; the test proves nothing"
        for info in objects:
            data = storage.blobs.get(info.key)
            assert hashlib.sha256(data[64:]).hexdigest().encode() == data[:64], f"partial object {info.key}"
        # Temp files never appear under the lake's keys.
        assert not any(p.name.startswith("put-") for p in (data_dir / "lake").rglob("*"))

        with sqlite3.connect(data_dir / SQLITE_FILE) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = storage.items.query("CRASH").items
        counter = storage.items.get("CRASH", "counter")
        assert counter is not None
        # Every item write that committed is whole; the counter saw each committed item once.
        assert all(r["blob"] == "x" * 2000 for r in rows if r["sk"] != "counter")
        assert len(rows) >= 2
        # Writes still work after the restart.
        storage.items.put({"pk": "CRASH", "sk": "after"})
        assert storage.items.get("CRASH", "after") is not None
    finally:
        restarted.stop()


def test_two_processes_share_one_sqlite_file_without_lost_updates(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
        store = SqliteItemStore(Path(sys.argv[1]))
        for _ in range(200):
            store.update("C", "n", add={"n": 1})
        """
    )
    db = tmp_path / "shared.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(db)]) for _ in range(3)]
    for p in procs:
        assert p.wait(timeout=120) == 0
    from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore

    assert SqliteItemStore(db).get("C", "n") == {"pk": "C", "sk": "n", "n": 600}
