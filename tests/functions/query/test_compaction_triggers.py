"""When the local server compacts: every N chunks as they land (no timer walking the lake), on finish,
and once at startup for streams that filled up while it was down."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_local_server
from tests.lake_chunks import put_chunk
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.compaction.jobs import ChunkArrivals, CompactionWorker
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports import BlobStore, ItemStore
from wanllmdb_functions.services import PERIODIC_TASKS

P, R = "p1", "r1"


class RecordingWorker(CompactionWorker):
    def __init__(self) -> None:
        super().__init__()
        self.streams: list[tuple[str, str, str, int]] = []

    def submit_stream(
        self,
        blobs: BlobStore,
        project_id: str,
        run_id: str,
        stream: str,
        *,
        min_chunks: int,
        items: ItemStore | None = None,
    ) -> None:
        self.streams.append((project_id, run_id, stream, min_chunks))


def _key(run: str, stream: str, name: str) -> str:
    return f"metrics/project={P}/run={run}/stream={stream}/{name}"


def test_a_stream_is_queued_each_time_it_gathers_n_chunks(tmp_path: Path) -> None:
    worker = RecordingWorker()
    arrivals = ChunkArrivals(lambda: None, 3, worker)  # type: ignore[arg-type, return-value]
    for seq in range(7):
        arrivals.on_object_created(_key(R, "history", f"chunk-a0000-{seq:09d}.parquet"))
    for seq in range(2):
        arrivals.on_object_created(_key("other", "system", f"chunk-a0000-{seq:09d}.parquet"))
    for seq in range(3):  # console output is compacted the same way
        arrivals.on_object_created(f"logs/project={P}/run={R}/chunk-a0001-{seq:09d}.parquet")
    # Compacted files, files, media and unknown streams are not chunks to count.
    arrivals.on_object_created(_key(R, "history", "compact-a0000s000000002.parquet"))
    arrivals.on_object_created(f"logs/project={P}/run={R}/compact-a0000s000000002.parquet")
    arrivals.on_object_created(f"files/project={P}/run={R}/chunk-a0000-000000000.parquet")
    arrivals.on_object_created(_key(R, "bogus", "chunk-a0000-000000000.parquet"))
    assert worker.streams == [(P, R, "history", 3), (P, R, "history", 3), (P, R, "logs", 3)]


def test_housekeeping_no_longer_walks_the_lake_on_a_timer() -> None:
    # The purge walks deletion records, and lists only the prefixes of what was deleted.
    assert [task.__name__ for task in PERIODIC_TASKS] == [
        "reaper_task",
        "purge_task",
        "artifact_expiry_task",
        "sweep_tick_task",
    ]


def _blobs(data_dir: Path) -> LocalBlobStore:
    return LocalBlobStore(data_dir / "lake", work_dir=data_dir / "tmp-test", signer=UrlSigner(b"k" * 32, "x"))


def _wait_compacted(blobs: BlobStore, run_id: str, timeout: float = 20.0) -> list[dict[int, int]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listing = list_stream(blobs, P, run_id, "history")
        if listing.compacted:
            return [c.high for _, c in listing.compacted]
        time.sleep(0.1)
    raise AssertionError("no compacted file appeared")


@pytest.mark.slow
def test_the_server_compacts_streams_that_filled_up_while_it_was_down(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    blobs = _blobs(data_dir)
    for seq in range(3):
        put_chunk(blobs, P, "filled", seq=seq, steps=[seq], values={"loss": [float(seq)]})
    put_chunk(blobs, P, "short", seq=0, steps=[0], values={"loss": [1.0]})
    server = start_local_server(data_dir, env={"WANLLMDB_COMPACTION_EVERY_CHUNKS": "3"})
    try:
        assert _wait_compacted(blobs, "filled") == [{0: 2}]
        short = list_stream(blobs, P, "short", "history")
        assert short.compacted == [] and len(short.chunks) == 1  # under the threshold: left alone
    finally:
        server.stop()


@pytest.mark.slow
def test_a_running_runs_chunks_are_compacted_as_they_land(tmp_path: Path) -> None:
    import wanllmdb

    data_dir = tmp_path / "data"
    server = start_local_server(data_dir, env={"WANLLMDB_COMPACTION_EVERY_CHUNKS": "2"})
    try:
        key = (data_dir / "admin-api-key").read_text().strip()
        settings = {"base_url": server.url, "api_key": key, "flush_interval_s": 0.1, "system_metrics": False}
        run = wanllmdb.init(project="compaction", id="live", dir=tmp_path / "sdk", settings=settings)
        try:
            for step in range(4):
                run.log({"loss": 1.0 / (step + 1)}, step=step)
                time.sleep(0.4)  # one chunk per flush
            got = httpx.get(f"{server.url}/api/runs/live", headers={"Authorization": f"Bearer {key}"})
            project_id = got.json()["project_id"]
            blobs = _blobs(data_dir)
            deadline = time.monotonic() + 20
            while not list_stream(blobs, project_id, "live", "history").compacted:
                assert time.monotonic() < deadline, "no compaction while the run was running"
                time.sleep(0.1)
        finally:
            run.finish()
    finally:
        server.stop()


def test_the_same_job_for_two_lakes_is_two_jobs(tmp_path: Path) -> None:
    # One process may serve several apps; merging their jobs would leave one lake uncompacted.
    import threading

    release = threading.Event()

    class HeldLake:
        """Keeps the worker busy until released, so the next jobs queue up behind it."""

        def list(self, prefix: str) -> list[object]:
            release.wait(10)
            return []

    worker = CompactionWorker()
    lakes = [_blobs(tmp_path / name) for name in ("a", "b")]
    for blobs in lakes:
        for seq in range(2):
            put_chunk(blobs, P, R, seq=seq, steps=[seq], values={"loss": [float(seq)]})
    worker.submit_scan(HeldLake(), every_chunks=2)  # type: ignore[arg-type]
    for blobs in lakes:
        worker.submit_scan(blobs, every_chunks=2)
    release.set()
    worker.join()
    assert [[c.high for _, c in list_stream(b, P, R, "history").compacted] for b in lakes] == [[{0: 1}]] * 2


def test_a_burst_of_run_changes_rebuilds_the_run_index_once_per_spell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each rebuild reads every run of the project: 50 runs created at once used to rebuild it back
    to back, 50 times, on the one worker thread that compaction needs too."""
    from wanllmdb_functions.compaction import jobs

    started: list[float] = []
    monkeypatch.setattr(jobs, "write_run_index", lambda *_: started.append(time.monotonic()))
    worker = CompactionWorker(index_every_s=0.5)
    blobs, items = _blobs(tmp_path), object()
    submitted = time.monotonic()
    worker.submit_index(items, blobs, P)  # type: ignore[arg-type]
    worker.join()
    assert len(started) == 1 and started[0] - submitted < 0.4  # a change after a quiet spell: at once
    for _ in range(50):
        worker.submit_index(items, blobs, P)  # type: ignore[arg-type]
        worker.submit_index(items, blobs, "another-project")  # type: ignore[arg-type]
    worker.join()
    # one more rebuild of P after its spell (the burst merged into it), and one of the other project
    assert len(started) == 3
    assert max(started) - started[0] >= 0.5


def test_a_slow_run_index_rebuild_spaces_the_next_by_its_duration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project of thousands of runs takes a while to rebuild: under a stream of run changes the
    rebuilds must not follow each other back to back, taking the GIL from the requests."""
    from wanllmdb_functions.compaction import jobs

    started: list[float] = []

    def slow_rebuild(*_: object) -> None:
        started.append(time.monotonic())
        time.sleep(0.05)

    monkeypatch.setattr(jobs, "write_run_index", slow_rebuild)
    worker = CompactionWorker(index_every_s=0.1)
    blobs, items = _blobs(tmp_path), object()
    worker.submit_index(items, blobs, P)  # type: ignore[arg-type]
    worker.join()
    worker.submit_index(items, blobs, P)  # type: ignore[arg-type]
    worker.join()
    assert len(started) == 2
    assert started[1] - started[0] >= jobs.INDEX_SPACING * 0.05 - 0.01  # not index_every_s (0.1 s)
