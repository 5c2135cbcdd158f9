"""The background side of a live run: the flusher (buffers → spool) and, online, the uploader thread.

The caller's thread only appends to buffers and queues; every file write, Arrow conversion and
network call happens here.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.console import ConsoleCapture
from wanllmdb.ingest.buffer import Drained, MetricBuffer
from wanllmdb.ingest.memory import release_memory
from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader
from wanllmdb.settings import Settings
from wanllmdb.summary import Summary
from wanllmdb.termlog import is_quiet, termwarn

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Pipeline"]

log = logging.getLogger("wanllmdb")


@dataclass
class _SavedFile:
    src: Path
    name: str
    policy: str
    mtime: float = -1.0


@dataclass
class Pipeline:
    rd: RunDir
    settings: Settings
    attempt: int
    history: MetricBuffer
    system: MetricBuffer
    summary: Summary
    console: ConsoleCapture | None = None
    uploader: SpoolUploader | None = None  # None offline: the spool waits for `wanllmdb sync`
    next_op: int = 1
    _ops: queue.SimpleQueue[tuple[str, dict[str, Any]]] = field(default_factory=queue.SimpleQueue)
    _files: queue.SimpleQueue[_SavedFile] = field(default_factory=queue.SimpleQueue)
    _live: list[_SavedFile] = field(default_factory=list)
    _at_end: list[_SavedFile] = field(default_factory=list)
    _wake: threading.Event = field(default_factory=threading.Event)
    _closing: threading.Event = field(default_factory=threading.Event)
    _seq: dict[str, int] = field(default_factory=dict)
    _sent_summary: dict[str, Any] = field(default_factory=dict)
    _flusher: threading.Thread | None = None

    def start(self) -> None:
        self._seq = {s: self.rd.next_seq(s, self.attempt) for s in ("history", "system", "logs")}
        self._flusher = threading.Thread(target=self._flush_loop, name="wanllmdb-flusher", daemon=True)
        self._flusher.start()
        if self.uploader is not None:
            self.uploader.start(
                interval_s=self.settings.flush_interval_s,
                heartbeat_interval_s=self.settings.heartbeat_interval_s,
            )

    # -- called from the user's thread: no I/O -----------------------------------------------------------
    def kick(self) -> None:
        # Event.set() takes a lock: once per drain is enough, not once per log() until the flusher runs.
        if not self._wake.is_set():
            self._wake.set()

    def wait_for_room(self, limit: int) -> None:
        """Backpressure, only when the flusher is chunks behind (an overloaded box): yield the GIL to it
        until the buffer is under ``limit``, so memory stays bounded. Bounded in time, in case it died."""
        deadline = time.monotonic() + 2.0
        while self.history.values >= limit and time.monotonic() < deadline:
            self._wake.set()
            time.sleep(0.001)

    def submit_op(self, op: str, body: dict[str, Any]) -> None:
        self._ops.put((op, body))

    def save_file(self, src: Path, name: str, policy: str) -> None:
        self._files.put(_SavedFile(src, name, policy))
        self._wake.set()

    # -- flusher thread ------------------------------------------------------------------------------------
    def _flush_loop(self) -> None:
        while not self._closing.is_set():
            self._wake.wait(self.settings.flush_interval_s)
            self._wake.clear()
            self._flush_guarded()

    def _flush_guarded(self) -> None:
        try:
            self.flush_once()
        except Exception as exc:  # a full disk must not kill training; the next flush retries
            log.warning("wanllmdb: flush failed (%s: %s); will retry", type(exc).__name__, exc)

    def flush_once(self) -> None:
        wrote = self._write_ops()
        for stream, buffer in (("history", self.history), ("system", self.system)):
            table = self._drain_table(buffer, fold=self.summary.fold if stream == "history" else None)
            if table is not None:
                self._write_chunk(stream, table)
                wrote = True
        if self.console is not None:
            lines = self.console.drain()
            if lines:
                from wanllmdb.ingest.chunk import log_table

                self._write_chunk("logs", log_table(lines, attempt=self.attempt))
                wrote = True
        wrote = self._write_summary() or wrote
        wrote = self._copy_files() or wrote
        if wrote:
            if self.uploader is not None:
                self.uploader.wake()
            release_memory()

    def _drain_table(self, buffer: MetricBuffer, fold: Callable[[Drained], None] | None) -> pa.Table | None:
        # A function of its own so the drained Python lists are freed before Parquet encoding starts:
        # that keeps the peak RSS at about one buffer, not two.
        drained = buffer.drain(fold)
        if drained is None:
            return None
        # pyarrow loads here, with the first chunk, on this thread: `import wanllmdb` stays light.
        from wanllmdb.ingest.chunk import metric_table

        return metric_table(drained, attempt=self.attempt)

    def _write_chunk(self, stream: str, table: pa.Table) -> None:
        from wanllmdb.ingest.chunk import write_parquet

        seq = self._seq[stream]
        self.rd.write_chunk(stream, self.attempt, seq, partial(write_parquet, table))
        self._seq[stream] = seq + 1

    def _write_ops(self) -> bool:
        wrote = False
        while True:
            try:
                op, body = self._ops.get_nowait()
            except queue.Empty:
                return wrote
            self.rd.append_op(self.next_op, op, body)
            self.next_op += 1
            wrote = True

    def _write_summary(self) -> bool:
        current = self.summary.as_dict()
        changed = {k: v for k, v in current.items() if self._sent_summary.get(k, _NOTHING) != v}
        if not changed:
            return False
        self.rd.append_op(self.next_op, "summary", {"summary": changed})
        self.next_op += 1
        self._sent_summary.update(changed)
        return True

    def _copy_files(self, *, final: bool = False) -> bool:
        while True:
            try:
                f = self._files.get_nowait()
            except queue.Empty:
                break
            (self._at_end if f.policy == "end" else self._live).append(f)
        copied = False
        candidates = self._live + (self._at_end if final else [])
        for f in candidates:
            try:
                mtime = f.src.stat().st_mtime
            except OSError:
                continue
            if mtime == f.mtime:
                continue
            dest = self.rd.files / f.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.tmp")
            shutil.copyfile(f.src, tmp)
            os.replace(tmp, dest)
            f.mtime = mtime
            copied = True
        self._live = [f for f in self._live if f.policy == "live"]
        return copied

    # -- shutdown --------------------------------------------------------------------------------------------
    def close(self, state_body: dict[str, Any] | None) -> bool:
        """Final flush, then wait (bounded) for uploads. True when everything reached the server."""
        self._closing.set()
        self._wake.set()
        if self._flusher is not None:
            self._flusher.join()
        self.flush_once()
        self._copy_files(final=True)
        if state_body is not None:
            self.submit_op("state", state_body)
            self._write_ops()
        if self.uploader is None:
            return False
        done = self._wait_uploads(time.monotonic() + self.settings.finish_timeout_s)
        self.uploader.stop(timeout_s=5.0)
        if not done:
            left = self.uploader.pending_count()
            if left:
                termwarn(
                    f"{left} item(s) not uploaded yet; they are safe in {self.rd.path}. "
                    f"Run `wanllmdb sync {self.rd.path}` to finish."
                )
            else:
                done = True
        return done

    def _wait_uploads(self, deadline: float) -> bool:
        assert self.uploader is not None
        bar = None
        start = time.monotonic()
        total = None
        try:
            while time.monotonic() < deadline:
                self.uploader.wake()
                left = self.uploader.pending_count()
                if left == 0:
                    return True
                if self.uploader.refused:
                    return False
                if bar is None and time.monotonic() - start > 2.0 and not is_quiet():
                    from tqdm import tqdm

                    total = left
                    bar = tqdm(total=total, desc="wanllmdb: uploading", unit="item", file=sys.__stderr__)
                if bar is not None and total is not None:
                    bar.n = max(0, total - left)
                    bar.refresh()
                time.sleep(0.1 if bar is None else 0.5)
            return False
        finally:
            if bar is not None:
                bar.close()


_NOTHING = object()
