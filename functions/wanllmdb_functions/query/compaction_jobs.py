"""When compaction runs: on run finish, every N chunks for long runs, and for queued lake events.

Local server: a run-finished listener queues the run on one worker thread (so `finish()` never
waits, and one process never compacts a stream twice at once), and a periodic task compacts
streams that gathered `compaction_every_chunks` chunks. In AWS the same `compact_for_message`
serves the SQS-fed compaction Lambda.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from ..ports.blob_store import BlobStore
from ..runs.events import RunFinished
from .compaction import CompactionResult, compact_run, compact_stream
from .layout import STREAMS, parse_chunk

if TYPE_CHECKING:
    from ..core.app import AppState

__all__ = [
    "CompactionWorker",
    "compact_due_streams",
    "compact_for_message",
    "compaction_startup",
    "compaction_task",
]

log = logging.getLogger(__name__)

_STREAM_KEY = re.compile(r"^metrics/project=([^/]+)/run=([^/]+)/stream=([^/]+)/[^/]+$")


class CompactionWorker:
    """One thread that compacts finished runs in the order they finished; duplicates are merged."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[BlobStore, str, str]] = queue.Queue()
        self._pending: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, blobs: BlobStore, project_id: str, run_id: str) -> None:
        with self._lock:
            if (project_id, run_id) in self._pending:
                return
            self._pending.add((project_id, run_id))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, name="wanllmdb-compaction", daemon=True)
                self._thread.start()
        self._queue.put((blobs, project_id, run_id))

    def on_finished(self, event: RunFinished) -> None:
        self.submit(event.blobs, event.project_id, event.run_id)

    def join(self, timeout: float = 30.0) -> None:
        """Wait until the queue is empty (tests and shutdown)."""
        self._queue.join()

    def _drain(self) -> None:
        while True:
            blobs, project_id, run_id = self._queue.get()
            try:
                with self._lock:
                    self._pending.discard((project_id, run_id))
                compact_run(blobs, project_id, run_id)
            except Exception:  # one bad run must not stop compaction of the others
                log.exception("compaction of run %s/%s failed", project_id, run_id)
            finally:
                self._queue.task_done()


WORKER = CompactionWorker()


def compaction_startup(state: AppState) -> Iterator[str]:
    """STARTUP_HOOKS entry: compact each run when it finishes."""
    state.run_finished.subscribe(WORKER.on_finished)
    yield f"compaction: on run finish, and every {state.settings.compaction_every_chunks} chunks"


def compact_due_streams(
    blobs: BlobStore, *, every_chunks: int, prefix: str = "metrics/"
) -> list[CompactionResult]:
    """Compact each stream under `prefix` holding at least `every_chunks` uncompacted chunks."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for info in blobs.list(prefix):
        match = _STREAM_KEY.match(info.key)
        if match and parse_chunk(info.key) is not None:
            counts[(match.group(1), match.group(2), match.group(3))] += 1
    results = []
    for (project_id, run_id, stream), count in sorted(counts.items()):
        if count >= every_chunks and stream in STREAMS:
            results.append(compact_stream(blobs, project_id, run_id, stream, min_chunks=every_chunks))
    return results


def compaction_task(state: AppState) -> None:
    """PERIODIC_TASKS entry for the local server."""
    compact_due_streams(state.storage.blobs, every_chunks=state.settings.compaction_every_chunks)


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
    blobs: BlobStore, body: dict[str, Any], *, every_chunks: int
) -> list[CompactionResult]:
    """One SQS message: an EventBridge S3 "Object Created" event, a classic S3 event notification,
    or `{"type": "run_finished", project_id, run_id}`."""
    if body.get("type") == "run_finished":
        return compact_run(blobs, str(body["project_id"]), str(body["run_id"]))
    results: list[CompactionResult] = []
    seen: set[str] = set()
    for key in _created_keys(body):
        match = _STREAM_KEY.match(key)
        if not match or parse_chunk(key) is None:
            continue  # our own compacted files, logs, files and media need nothing
        stream_prefix = key.rsplit("/", 1)[0] + "/"
        if stream_prefix in seen:
            continue
        seen.add(stream_prefix)
        results += compact_due_streams(blobs, every_chunks=every_chunks, prefix=stream_prefix)
    return results
