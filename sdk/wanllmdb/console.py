"""Console capture: stdout and stderr are teed, line by line with timestamps, into the run's log chunks.

Two ways, chosen by ``Settings.console``:

- ``redirect`` (the default, ``auto``, on Linux and macOS): file descriptors 1 and 2 are pointed at
  pipes, and one reader thread per stream copies the bytes to the original terminal descriptor and
  into the log. So output written below Python (C extensions: CUDA, NCCL, XGBoost) and by child
  processes is captured too, as wandb's ``redirect`` mode does. ``stop()`` (finish, or exit) points
  the descriptors back.
- ``wrap``: ``sys.stdout``/``sys.stderr`` are wrapped; the wrapper writes through to the original
  stream first, so the terminal sees everything even if capture fails. Only Python-level writes are
  seen. ``auto`` falls back to it where descriptors cannot be redirected: Windows, a notebook, or
  streams that are not descriptors 1 and 2 (pytest's capture replaces them).
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import sys
import threading
import time
from typing import Any, TextIO

from wanllmdb.ingest.buffer import LogLine

__all__ = ["CONSOLE_MODES", "ConsoleCapture", "fd_capture_possible"]

CONSOLE_MODES = ("auto", "redirect", "wrap", "off")
_MAX_LINE = 64 * 1024  # one runaway line (a progress bar without newlines) must not eat memory
_READ = 64 * 1024
_JOIN_S = 2.0  # stop() waits this long for the pipes to drain (a background child may hold one open)


class _Lines:
    """Splits a stream's text into lines; the unfinished tail waits for the next write."""

    def __init__(self, name: str, sink: ConsoleCapture) -> None:
        self.name = name
        self.sink = sink
        self.partial = ""

    def feed(self, text: str) -> None:
        buf = self.partial + text.replace("\r\n", "\n")
        *complete, self.partial = buf.split("\n")
        if len(self.partial) > _MAX_LINE:
            complete.append(self.partial)
            self.partial = ""
        for line in complete:
            self.sink.emit(self.name, line)

    def close(self) -> None:
        if self.partial:
            self.sink.emit(self.name, self.partial)
            self.partial = ""


class _Tee:
    def __init__(self, inner: TextIO, lines: _Lines) -> None:
        self._inner = inner
        self._lines = lines

    def write(self, text: str) -> int:
        n = self._inner.write(text)
        with contextlib.suppress(Exception):  # capture must never break the user's print()
            self._lines.feed(text)
        return n

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _FdRedirect:
    """Descriptor ``fd`` points at a pipe; a reader thread tees the pipe to the saved original."""

    def __init__(self, fd: int, lines: _Lines) -> None:
        self.fd = fd
        self.lines = lines
        self.saved = os.dup(fd)  # the terminal (or file) the descriptor pointed at
        read_end, write_end = os.pipe()
        self.read_end = read_end
        self.thread = threading.Thread(target=self._pump, name=f"wanllmdb-console-{fd}", daemon=True)
        self.thread.start()
        os.dup2(write_end, fd)
        os.close(write_end)  # fd itself (and children's copies of it) are now the only writers

    def _pump(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            try:
                data = os.read(self.read_end, _READ)
            except InterruptedError:
                continue
            except OSError:
                break
            if not data:  # every write end closed: restored, and no child holds one
                break
            # Terminal first, as the wrap mode does; a closed terminal must not stop the draining.
            with contextlib.suppress(OSError):
                _write_all(self.saved, data)
            with contextlib.suppress(Exception):
                self.lines.feed(decoder.decode(data))
        with contextlib.suppress(Exception):
            self.lines.feed(decoder.decode(b"", final=True))

    def restore(self) -> None:
        os.dup2(self.saved, self.fd)  # closes our pipe's write end at fd: the reader sees EOF

    def close(self) -> None:
        self.thread.join(_JOIN_S)
        if self.thread.is_alive():
            return  # a background child still holds the pipe: the thread keeps teeing its output
        os.close(self.read_end)
        os.close(self.saved)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fd_capture_possible() -> bool:
    """Descriptor capture works where sys.stdout/sys.stderr are descriptors 1 and 2 of a POSIX process."""
    if os.name != "posix" or "ipykernel" in sys.modules:
        return False
    try:
        if sys.stdout.fileno() != 1 or sys.stderr.fileno() != 2:
            return False
        os.fstat(1), os.fstat(2)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    return True


class ConsoleCapture:
    def __init__(self, mode: str = "auto") -> None:
        if mode not in CONSOLE_MODES or mode == "off":
            raise ValueError(f"console capture mode {mode!r}: use auto, redirect or wrap")
        self.requested = mode
        self.mode: str | None = None  # "redirect" or "wrap" once started
        self._lock = threading.Lock()
        self._lines: list[LogLine] = []
        self._next = 0
        self._saved: tuple[TextIO, TextIO] | None = None
        self._redirects: list[_FdRedirect] = []
        self._streams: list[_Lines] = []

    def start(self) -> None:
        if self.requested in ("auto", "redirect") and fd_capture_possible():
            try:
                self._start_redirect()
                return
            except OSError:
                self._undo_redirect()  # out of descriptors, say: capture what Python writes instead
        self._start_wrap()

    def _start_redirect(self) -> None:
        self._streams = [_Lines("stdout", self), _Lines("stderr", self)]
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()  # what Python buffered before the run belongs to the terminal only
        for fd, lines in zip((1, 2), self._streams, strict=True):
            self._redirects.append(_FdRedirect(fd, lines))
        self.mode = "redirect"
        atexit.register(self.stop)  # never leave the process's descriptors on our pipes

    def _undo_redirect(self) -> None:
        for redirect in self._redirects:
            redirect.restore()
            redirect.close()
        self._redirects = []

    def _start_wrap(self) -> None:
        self._saved = (sys.stdout, sys.stderr)
        self._streams = [_Lines("stdout", self), _Lines("stderr", self)]
        sys.stdout = _Tee(sys.stdout, self._streams[0])  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, self._streams[1])  # type: ignore[assignment]
        self.mode = "wrap"

    def stop(self) -> None:
        if self.mode == "redirect":
            atexit.unregister(self.stop)
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()  # Python's buffered output goes through the pipe, into the log
            for redirect in self._redirects:
                redirect.restore()
            for redirect in self._redirects:
                redirect.close()
            self._redirects = []
        elif self.mode == "wrap" and self._saved is not None:
            out, err = self._saved
            # Only unwrap our own tee; someone who wrapped on top of it keeps theirs.
            if isinstance(sys.stdout, _Tee) and sys.stdout._lines.sink is self:
                sys.stdout = out
            if isinstance(sys.stderr, _Tee) and sys.stderr._lines.sink is self:
                sys.stderr = err
            self._saved = None
        for lines in self._streams:
            lines.close()
        self.mode = None

    def emit(self, stream: str, text: str) -> None:
        ts = time.time_ns() // 1_000_000
        with self._lock:
            self._lines.append((self._next, ts, stream, text[:_MAX_LINE]))
            self._next += 1

    def drain(self) -> list[LogLine]:
        with self._lock:
            out, self._lines = self._lines, []
            return out
