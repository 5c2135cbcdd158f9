"""The background side of a live run: the flusher (buffers → spool), the media worker (media values →
objects in the spool and rows in the buffer) and, online, the uploader thread.

The caller's thread only appends to buffers and queues; every file write, Arrow conversion and
network call happens here. A full disk is the flusher's problem too (``diskfull.py``): it never
reaches the caller.
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
from wanllmdb.ingest.buffer import Drained, MediaJob, MetricBuffer
from wanllmdb.ingest.diskfull import DiskFullGuard, HeldChunk
from wanllmdb.ingest.media import MediaWorker
from wanllmdb.ingest.memory import release_memory
from wanllmdb.ingest.spool import RunDir, is_disk_full
from wanllmdb.ingest.uploader import SpoolUploader
from wanllmdb.run_files import append_output, publish_output
from wanllmdb.settings import Settings
from wanllmdb.summary import Summary
from wanllmdb.termlog import is_quiet, termlog

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
    # A sweep trial's: sees each drained history buffer, for the agent (wanllmdb/agents/in_run.py).
    metric_tap: Callable[[Drained], None] | None = None
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
    media: MediaWorker | None = None  # started with the pipeline
    unsynced: int = 0  # after close(): items left in the spool for `wanllmdb sync`
    _op_backlog: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # not yet in ops.jsonl
    disk: DiskFullGuard = field(init=False)

    def __post_init__(self) -> None:
        self.disk = DiskFullGuard(self.rd.path, self.settings.disk_full_hold_bytes)

    def start(self) -> None:
        self._seq = {s: self.rd.next_seq(s, self.attempt) for s in ("history", "system", "logs")}
        self._flusher = threading.Thread(target=self._flush_loop, name="wanllmdb-flusher", daemon=True)
        self._flusher.start()
        self.media = MediaWorker(self.rd, self.history, on_rows=self.kick)
        self.media.start()
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

    def submit_media(self, jobs: list[MediaJob]) -> None:
        """Media values for the worker; blocks only while its bounded queue is full."""
        if self.media is not None:
            self.media.submit(jobs)

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
        wrote = self._spool(self._write_ops)
        if self.disk.held:
            wrote = self._spool(self._write_held) or wrote
        for stream, buffer in (("history", self.history), ("system", self.system)):
            history = stream == "history"
            table = self._drain_table(
                buffer,
                fold=self.summary.fold if history else None,
                tap=self.metric_tap if history else None,
            )
            if table is not None:
                wrote = self._write_chunk(stream, table) or wrote
        if self.console is not None:
            lines = self.console.drain()
            if lines:
                from wanllmdb.ingest.chunk import log_table

                wrote = self._write_chunk("logs", log_table(lines, attempt=self.attempt)) or wrote
                # output.log, moved into the run's files at finish (the logs chunks hold the lines too)
                self._spool(partial(self._append_output, [line[3] for line in lines]))
        wrote = self._spool(self._write_summary) or wrote
        wrote = self._spool(self._copy_files) or wrote
        if wrote:
            if self.uploader is not None:
                self.uploader.wake()
            release_memory()

    def _drain_table(
        self,
        buffer: MetricBuffer,
        fold: Callable[[Drained], None] | None,
        tap: Callable[[Drained], None] | None = None,
    ) -> pa.Table | None:
        # A function of its own so the drained Python lists are freed before Parquet encoding starts:
        # that keeps the peak RSS at about one buffer, not two.
        drained = buffer.drain(fold)
        if drained is None:
            return None
        if tap is not None:
            tap(drained)
        # pyarrow loads here, with the first chunk, on this thread: `import wanllmdb` stays light.
        from wanllmdb.ingest.chunk import metric_table

        return metric_table(drained, attempt=self.attempt)

    def _spool(self, write: Callable[[], bool]) -> bool:
        """Run one spool write; a full disk makes it a no-op this time (it is tried again next flush)."""
        try:
            return write()
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            self.disk.disk_full(exc)
            return False

    def _write_chunk(self, stream: str, table: pa.Table) -> bool:
        """Encode and spool one chunk; on a full disk it is held in memory or dropped (``diskfull.py``)."""
        from wanllmdb.ingest.chunk import encode_parquet

        data = encode_parquet(table)
        seq = self._seq[stream]
        if not self.disk.held:  # chunks held from earlier mean the disk was still full a moment ago
            try:
                self.rd.write_chunk(stream, self.attempt, seq, data)
            except OSError as exc:
                if not is_disk_full(exc):
                    raise
                self.disk.disk_full(exc)
            else:
                self._seq[stream] = seq + 1
                self.disk.room_again()
                return True
        if self.disk.hold_or_drop(stream, seq, data, table.num_rows):
            self._seq[stream] = seq + 1
        return False

    def _append_output(self, texts: list[str]) -> bool:
        append_output(self.rd.path, texts)
        return False  # the logs chunk already woke the uploader; output.log waits for finish

    def _write_held(self) -> bool:
        def write(chunk: HeldChunk) -> None:
            self.rd.write_chunk(chunk.stream, self.attempt, chunk.seq, chunk.data)

        self.disk.write_held(write)
        self.disk.room_again()
        return True

    def _write_ops(self) -> bool:
        """Queued metadata ops into ops.jsonl in order; one that cannot be written (a full disk) stays
        first in line for the next flush, with its number, so none is lost or reordered."""
        while True:
            try:
                self._op_backlog.append(self._ops.get_nowait())
            except queue.Empty:
                break
        wrote = False
        while self._op_backlog:
            op, body = self._op_backlog[0]
            self.rd.append_op(self.next_op, op, body)
            self._op_backlog.pop(0)
            self.next_op += 1
            wrote = True
        return wrote

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
            try:
                shutil.copyfile(f.src, tmp)
                os.replace(tmp, dest)
            except OSError:
                tmp.unlink(missing_ok=True)  # a copy cut short by a full disk holds space the retry needs
                raise
            f.mtime = mtime
            copied = True
        self._live = [f for f in self._live if f.policy == "live"]
        return copied

    # -- shutdown --------------------------------------------------------------------------------------------
    def close(self, state_body: dict[str, Any] | None) -> bool:
        """Pending media, final flush, then wait for uploads, all within ``finish_timeout_s``. True when
        everything reached the server."""
        deadline = time.monotonic() + self.settings.finish_timeout_s
        self._wait_media(deadline)
        self._closing.set()
        self._wake.set()
        if self._flusher is not None:
            self._flusher.join()
        self.flush_once()
        self._spool(partial(self._copy_files, final=True))
        self.disk.give_up()  # chunks still held: the disk never had room again
        publish_output(self.rd.path, self.rd.files)
        if state_body is not None:
            self.submit_op("state", state_body)
            self._spool(self._write_ops)
        if self.uploader is None:
            return False  # offline: finish() points at `wanllmdb sync`
        done = self._wait_uploads(deadline)
        # Within the same budget: a request hung on a silent server must not add its own timeout.
        # The spool keeps whatever that thread had not finished, for sync.
        self.uploader.stop(timeout_s=min(5.0, max(0.5, deadline - time.monotonic())))
        if not done:
            self.unsynced = self.uploader.pending_count()
            done = self.unsynced == 0
        return done

    def _wait_media(self, deadline: float) -> None:
        """Media still encoding become rows before the final flush (offline too: they go to the spool)."""
        if self.media is None:
            return
        progress = _Progress("encoding media")
        try:
            if not self.media.wait(deadline, progress.show):
                log.warning(
                    "wanllmdb: %d media value(s) not stored: still encoding after finish_timeout_s=%g s",
                    self.media.pending,
                    self.settings.finish_timeout_s,
                )
        finally:
            progress.close()
            self.media.stop()

    def _wait_uploads(self, deadline: float) -> bool:
        assert self.uploader is not None
        progress = _Progress()
        try:
            while time.monotonic() < deadline:
                self.uploader.wake()
                left = self.uploader.pending_count()
                if left == 0:
                    return True
                if self.uploader.refused:
                    return False
                progress.show(left)
                time.sleep(0.1 if progress.bar is None else 0.5)
            return False
        finally:
            progress.close()


class _Progress:
    """finish()'s upload progress, once uploads lag by more than ``AFTER_S``: a tqdm bar on a terminal;
    elsewhere (CI logs, files, pipes, where every redraw is a line) one line every ``EVERY_S`` at most."""

    AFTER_S = 2.0
    EVERY_S = 5.0

    def __init__(self, what: str = "uploading") -> None:
        self._what = what
        self._start = time.monotonic()
        self._said = 0.0
        self._total: int | None = None
        self.bar: Any = None
        self._tty = _stderr_is_terminal()

    def show(self, left: int) -> None:
        now = time.monotonic()
        if is_quiet() or now - self._start <= self.AFTER_S:
            return
        if self._total is None:
            self._total = left
        if not self._tty:
            if now - self._said >= self.EVERY_S:
                self._said = now
                termlog(f"{self._what}: {left} item(s) left ({now - self._start:.0f} s)")
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=self._total, desc=f"wanllmdb: {self._what}", unit="item", file=sys.__stderr__
            )
        self.bar.n = max(0, self._total - left)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _stderr_is_terminal() -> bool:
    stream = sys.__stderr__
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


_NOTHING = object()
