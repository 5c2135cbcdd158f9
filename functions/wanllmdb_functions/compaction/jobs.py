"""When compaction runs: on run finish, every N chunks of a stream, and for queued lake events;
and when a project's run index (run_index.py) is rebuilt: on every run change, and after compaction.

Local server (the twin of the AWS path): a run-finished listener queues the run, and a listener on
the blob endpoint counts chunks as they land and queues a stream once it gathered
`compaction_every_chunks` of them, just as S3 events reach the compaction Lambda through SQS. All
of it runs on one worker thread, so `finish()` and uploads never wait and one process never
compacts a stream twice at once. Nothing walks the whole lake on a timer: one scan at startup picks
up streams that filled up while the server was down. In AWS the same `compact_for_message` serves
the SQS-fed compaction Lambda.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from ..lake.keys import LOGS, chunk_roots, chunk_stream
from ..ports import BlobStore, ItemStore
from ..ports.events import RunChanged, RunFinished
from .compactor import CompactionResult, compact_logs, compact_run, compact_stream
from .run_index import write_run_index

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = [
    "ChunkArrivals",
    "CompactionWorker",
    "compact_due_streams",
    "compact_for_message",
    "compaction_startup",
]

log = logging.getLogger(__name__)


def _compact_one(
    blobs: BlobStore, project_id: str, run_id: str, stream: str, *, min_chunks: int
) -> CompactionResult:
    if stream == LOGS:
        return compact_logs(blobs, project_id, run_id, min_chunks=min_chunks)
    return compact_stream(blobs, project_id, run_id, stream, min_chunks=min_chunks)


@dataclass(frozen=True)
class _Job:
    """A whole run (`stream` None), one stream holding at least `min_chunks` chunks, a lake scan,
    or a rebuild of one project's run index."""

    project_id: str = ""
    run_id: str = ""
    stream: str | None = None
    min_chunks: int = 1
    scan: bool = False
    index: bool = False


# A project's run index is rebuilt at most this often: the first change after a quiet spell rebuilds
# at once, and changes that follow within it merge into one rebuild at its end. Each rebuild reads
# every run of the project, so a burst of new runs (a sweep, a load test) must not rebuild per run.
INDEX_EVERY_S = 1.0
# ...and no sooner than this many times its last rebuild's duration after it started: a project
# of thousands of runs takes a while to rebuild, and rebuilding it back to back under a stream of
# run changes kept a core's worth of GIL from the requests. So rebuilds take at most about 1/20 of
# the worker's time, and the index lags a busy project by a few seconds at most.
INDEX_SPACING = 20.0


class CompactionWorker:
    """One thread that runs compaction jobs in the order they came; a job already queued is merged."""

    def __init__(self, *, index_every_s: float = INDEX_EVERY_S) -> None:
        self._queue: queue.Queue[tuple[BlobStore, _Job, ItemStore | None]] = queue.Queue()
        # Keyed by the store too: one process may serve several apps (lakes), and the same job
        # for another lake is another job.
        self._pending: set[tuple[int, _Job]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._index_every_s = index_every_s
        self._index_started: dict[tuple[int, _Job], float] = {}
        self._index_took: dict[tuple[int, _Job], float] = {}
        self._waiting = 0  # index rebuilds held back until their spell ends
        self._none_waiting = threading.Condition(self._lock)

    def _submit(
        self, blobs: BlobStore, job: _Job, items: ItemStore | None = None, *, not_before: float = 0.0
    ) -> None:
        with self._lock:
            if (id(blobs), job) in self._pending:
                return
            self._pending.add((id(blobs), job))
            wait = not_before - time.monotonic()
            if wait > 0:
                self._waiting += 1
                timer = threading.Timer(wait, self._release, (blobs, job, items))
                timer.daemon = True
                timer.start()
                return
        self._enqueue(blobs, job, items)

    def _enqueue(self, blobs: BlobStore, job: _Job, items: ItemStore | None) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, name="wanllmdb-compaction", daemon=True)
                self._thread.start()
        self._queue.put((blobs, job, items))

    def _release(self, blobs: BlobStore, job: _Job, items: ItemStore | None) -> None:
        self._enqueue(blobs, job, items)
        with self._lock:
            self._waiting -= 1
            self._none_waiting.notify_all()

    def submit(self, blobs: BlobStore, project_id: str, run_id: str) -> None:
        """Compact every stream of a run (it finished)."""
        self._submit(blobs, _Job(project_id, run_id))

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
        self._submit(blobs, _Job(project_id, run_id, stream, min_chunks), items)

    def submit_scan(self, blobs: BlobStore, *, every_chunks: int) -> None:
        """Compact every stream of the lake holding at least `every_chunks` chunks."""
        self._submit(blobs, _Job(min_chunks=every_chunks, scan=True))

    def submit_index(self, items: ItemStore, blobs: BlobStore, project_id: str) -> None:
        """Rebuild a project's run index; while one is queued, further changes merge into it, and
        one rebuild follows another no sooner than `index_every_s`, nor than INDEX_SPACING times
        the last rebuild's duration, after it started."""
        job = _Job(project_id, index=True)
        with self._lock:
            last = self._index_started.get((id(blobs), job))
            took = self._index_took.get((id(blobs), job), 0.0)
        not_before = 0.0 if last is None else last + max(self._index_every_s, INDEX_SPACING * took)
        self._submit(blobs, job, items, not_before=not_before)

    def on_finished(self, event: RunFinished) -> None:
        self.submit(event.blobs, event.project_id, event.run_id)

    def on_changed(self, event: RunChanged) -> None:
        self.submit_index(event.items, event.blobs, event.project_id)

    def join(self, timeout: float = 30.0) -> None:
        """Wait until no job is held back or queued (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._none_waiting.wait_for(lambda: self._waiting == 0, max(deadline - time.monotonic(), 0))
            self._queue.join()
            with self._lock:
                if self._waiting == 0 or time.monotonic() >= deadline:
                    return

    def _drain(self) -> None:
        while True:
            blobs, job, items = self._queue.get()
            try:
                with self._lock:
                    self._pending.discard((id(blobs), job))
                    if job.index:
                        self._index_started[(id(blobs), job)] = time.monotonic()
                if job.index:
                    assert items is not None
                    started = time.monotonic()
                    write_run_index(items, blobs, job.project_id)
                    with self._lock:
                        self._index_took[(id(blobs), job)] = time.monotonic() - started
                elif job.scan:
                    compact_due_streams(blobs, every_chunks=job.min_chunks)
                elif job.stream is None:
                    compact_run(blobs, job.project_id, job.run_id)
                else:
                    result = _compact_one(
                        blobs, job.project_id, job.run_id, job.stream, min_chunks=job.min_chunks
                    )
                    if result.key and items is not None:  # fresher summaries for the run index
                        self.submit_index(items, blobs, job.project_id)
            except Exception:  # one bad run must not stop compaction of the others
                log.exception("compaction job %s failed", job)
            finally:
                self._queue.task_done()


WORKER = CompactionWorker()


class ChunkArrivals:
    """Counts the chunks landing in each stream and queues a stream on the worker every
    `every_chunks` of them: what S3 events and SQS do for the compaction Lambda in AWS."""

    def __init__(
        self,
        blobs: Callable[[], BlobStore],
        every_chunks: int,
        worker: CompactionWorker,
        items: Callable[[], ItemStore] | None = None,
    ) -> None:
        self._blobs = blobs
        self._items = items
        self._every = every_chunks
        self._worker = worker
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()

    def on_object_created(self, key: str) -> None:
        stream = chunk_stream(key)
        if stream is None:
            return  # compacted files, files and media need nothing
        with self._lock:
            self._counts[stream] += 1
            due = self._counts[stream] >= self._every
            if due:
                del self._counts[stream]
        if due:
            # The job lists the stream itself, so chunks from before a restart are counted there.
            items = self._items() if self._items is not None else None
            self._worker.submit_stream(self._blobs(), *stream, min_chunks=self._every, items=items)


def compaction_startup(state: AppState) -> Iterator[str]:
    """STARTUP_HOOKS entry: compact each run when it finishes and each stream every N chunks."""
    # Loaded now rather than by the first run-index rebuild, whose third of a second of importing
    # would hold the GIL while the server answers its first runs.
    import pyarrow.parquet  # noqa: F401

    every = state.settings.compaction_every_chunks
    state.run_finished.subscribe(WORKER.on_finished)
    state.run_changed.subscribe(WORKER.on_changed)
    arrivals = ChunkArrivals(lambda: state.storage.blobs, every, WORKER, lambda: state.storage.items)
    state.object_created.subscribe(arrivals.on_object_created)
    WORKER.submit_scan(state.storage.blobs, every_chunks=every)
    yield f"compaction: on run finish, and every {every} chunks of a stream"


def compact_due_streams(
    blobs: BlobStore, *, every_chunks: int, prefixes: tuple[str, ...] | None = None
) -> list[CompactionResult]:
    """Compact each stream (and run log) under `prefixes` holding at least `every_chunks` chunks."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for prefix in prefixes if prefixes is not None else chunk_roots():
        for info in blobs.list(prefix):
            if (stream := chunk_stream(info.key)) is not None:
                counts[stream] += 1
    return [
        _compact_one(blobs, project_id, run_id, stream, min_chunks=every_chunks)
        for (project_id, run_id, stream), count in sorted(counts.items())
        if count >= every_chunks
    ]


def _created_keys(body: dict[str, Any]) -> Iterable[str]:
    """Object keys of an EventBridge "Object Created" event (what the CDK stack routes to the
    queue) or of a classic S3 event notification (`Records[].s3`), URL-decoded.

    Classic notifications URL-encode keys ('=' arrives as %3D). Lake keys never hold '%' or '+',
    so decoding is also right for an EventBridge key whether or not it arrives encoded.
    """
    if body.get("source") == "aws.s3" and body.get("detail-type") == "Object Created":
        detail = body.get("detail")
        obj = detail.get("object") if isinstance(detail, dict) else None
        key = obj.get("key") if isinstance(obj, dict) else None
        if isinstance(key, str):
            yield unquote_plus(key)
    for record in body.get("Records") or []:
        if isinstance(record, dict) and str(record.get("eventName", "")).startswith("ObjectCreated"):
            key = record.get("s3", {}).get("object", {}).get("key")
            if isinstance(key, str):
                yield unquote_plus(key)


def compact_for_message(
    blobs: BlobStore, body: dict[str, Any], *, every_chunks: int, items: ItemStore | None = None
) -> list[CompactionResult]:
    """One SQS message: an EventBridge S3 "Object Created" event, a classic S3 event notification,
    `{"type": "run_finished", project_id, run_id}` or `{"type": "run_changed", project_id, run_id}`.

    With `items`, the project's run index is rebuilt for a changed run and after compaction."""
    if body.get("type") == "run_changed":
        if items is not None:
            write_run_index(items, blobs, str(body["project_id"]))
        return []
    if body.get("type") == "run_finished":
        return compact_run(blobs, str(body["project_id"]), str(body["run_id"]))
    results: list[CompactionResult] = []
    seen: set[str] = set()
    compacted_projects: set[str] = set()
    for key in _created_keys(body):
        stream = chunk_stream(key)
        if stream is None:
            continue  # our own compacted files, files and media need nothing
        stream_prefix = key.rsplit("/", 1)[0] + "/"
        if stream_prefix in seen:
            continue
        seen.add(stream_prefix)
        done = compact_due_streams(blobs, every_chunks=every_chunks, prefixes=(stream_prefix,))
        if any(r.key for r in done):
            compacted_projects.add(stream[0])
        results += done
    if items is not None:
        for project_id in sorted(compacted_projects):  # fresher summaries of running runs
            write_run_index(items, blobs, project_id)
    return results
