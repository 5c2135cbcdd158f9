"""The media worker: encodes what ``log()`` was given as media, spools the objects, hands back rows.

``log()`` only queues (step, ts, key, value): the types' constructors have already validated and
snapshotted their data on the caller's thread. A few worker threads call ``prepare`` (encode + sha256;
PNG, zlib and the video encoder release the GIL, so they run in parallel),
writes each object into the spool's ``media/`` (durable before any chunk names it; identical bytes are
written once per run, and later rows name the first object), and gives the buffer the row: descriptor
JSON with ``path`` in ``media``, the object's path in ``ref``. The row joins the next chunk; the uploader
sends the objects through the same batched grants as chunks (kind "media").

The queue is bounded, so a script that logs images faster than they encode waits in ``submit`` rather
than holding every snapshot in memory; nothing is dropped. A value that fails to encode loses only its
own key, with a warning that names it: a bad image never costs a step's other metrics, nor the run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from wanllmdb.ingest.buffer import MediaJob, MediaRow, MetricBuffer
from wanllmdb.ingest.spool import RunDir

__all__ = ["MediaWorker"]

log = logging.getLogger("wanllmdb")


class MediaWorker:
    def __init__(
        self,
        rd: RunDir,
        history: MetricBuffer,
        *,
        on_rows: Callable[[], None],
        max_pending: int = 32,
        workers: int = 2,
    ) -> None:
        self.rd = rd
        self.history = history
        self._on_rows = on_rows
        self._jobs: queue.Queue[MediaJob | None] = queue.Queue(max_pending)
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._paths: dict[str, str] = {}  # sha256 → the path of the object already written with those bytes
        # Held while an object is written: a row never names an object another worker is still writing.
        self._paths_lock = threading.Lock()

    def start(self) -> None:
        for i in range(self._workers):
            thread = threading.Thread(target=self._loop, name=f"wanllmdb-media-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- the caller's thread ---------------------------------------------------------------------------
    def submit(self, jobs: list[MediaJob]) -> None:
        """Queue values to encode. A full queue blocks until the worker takes one (back-pressure, never a
        drop); should the worker be gone, the caller encodes them itself rather than lose them."""
        for job in jobs:
            while True:
                try:
                    self._jobs.put(job, timeout=1.0)
                    break
                except queue.Full:
                    if not self._alive():
                        self._handle(job)
                        break

    @property
    def pending(self) -> int:
        """Values queued or being encoded."""
        return self._jobs.unfinished_tasks

    def wait(self, deadline: float, show: Callable[[int], None] | None = None) -> bool:
        """Until every queued value is a row, or ``deadline`` (monotonic); True when none is left."""
        while (left := self.pending) > 0:
            if time.monotonic() >= deadline or not self._alive():
                return False
            if show is not None:
                show(left)
            time.sleep(0.02)
        return True

    def stop(self) -> None:
        """End the threads after what is queued; what a timed-out ``finish()`` left is not waited for."""
        for thread in self._threads:
            if thread.is_alive():
                # Full: still busy past finish's deadline; daemon threads end with the process.
                with contextlib.suppress(queue.Full):
                    self._jobs.put_nowait(None)

    # -- the worker thread -----------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                self._handle(job)
            finally:
                self._jobs.task_done()

    def _handle(self, job: MediaJob) -> None:
        step, ts_ms, key, value = job
        try:
            row = self._row(step, ts_ms, key, value)
        except Exception as exc:  # an encoder's error, a full disk: this key only
            warnings.warn(
                f"wanllmdb: log(): {key!r} at step {step} not stored: its {_kind(value)} could not be "
                f"encoded ({type(exc).__name__}: {exc}); the other keys of that step are stored",
                RuntimeWarning,
                stacklevel=1,
            )
            log.debug("media encode failed", exc_info=True)
            return
        self.history.add_media_rows([row])
        self._on_rows()

    def _row(self, step: int, ts_ms: int, key: str, value: Any) -> MediaRow:
        ref: str | None
        if isinstance(value, list):
            items = [self._store(m, key, step) for m in value]
            descriptor: dict[str, Any] = {"_type": "gallery", "items": items}
            ref = None
        else:
            descriptor = self._store(value, key, step)
            ref = descriptor.get("path")
        return step, ts_ms, key, json.dumps(descriptor, separators=(",", ":"), default=_plain), ref

    def _store(self, media: Any, key: str, step: int) -> dict[str, Any]:
        """Encode one value; write its object unless these bytes were written before. Its descriptor."""
        from wanllmdb.data_types.base import media_path

        prepared = media.prepare_with(key, step, lambda cell: self._store(cell, key, step))
        descriptor = dict(prepared.descriptor)
        if prepared.data is None:
            return descriptor  # inline (histogram): the descriptor is the value
        sha = descriptor["sha256"]
        with self._paths_lock:
            path = self._paths.get(sha)
            if path is None:
                path = media_path(prepared, _path_safe(key), step)
                self.rd.write_media(path, bytes(prepared.data))
                self._paths[sha] = path
        descriptor["path"] = path
        return descriptor


def _path_safe(key: str) -> str:
    """A metric key as an object name may hold it: no backslash or control character (the server refuses
    those in a path). Any other key, '/' included (media_path makes it '.'), is kept as it is."""
    if "\\" not in key and key.isprintable():
        return key
    return "".join("_" if c == "\\" or not c.isprintable() else c for c in key)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return f"gallery of {len(value)}"
    return type(value).__name__


def _plain(value: Any) -> Any:
    """numpy scalars and arrays in descriptors (a histogram's counts) as JSON numbers and lists."""
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
