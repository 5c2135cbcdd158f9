"""Console capture: stdout and stderr are teed, line by line with timestamps, into the run's log chunks.

The wrapper writes through to the original stream first, so the terminal sees everything even if
capture fails; only Python-level writes are seen (not output of child processes or C code).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Any, TextIO

from wanllmdb.ingest.buffer import LogLine

__all__ = ["ConsoleCapture"]

_MAX_LINE = 64 * 1024  # one runaway line (a progress bar without newlines) must not eat memory


class _Tee:
    def __init__(self, inner: TextIO, name: str, sink: ConsoleCapture) -> None:
        self._inner = inner
        self._name = name
        self._sink = sink
        self._partial = ""

    def write(self, text: str) -> int:
        n = self._inner.write(text)
        with contextlib.suppress(Exception):  # capture must never break the user's print()
            self._sink.feed(self, text)
        return n

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ConsoleCapture:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: list[LogLine] = []
        self._next = 0
        self._saved: tuple[TextIO, TextIO] | None = None

    def start(self) -> None:
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, "stdout", self)  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, "stderr", self)  # type: ignore[assignment]

    def stop(self) -> None:
        if self._saved is None:
            return
        out, err = self._saved
        for tee, _orig in ((sys.stdout, out), (sys.stderr, err)):
            if isinstance(tee, _Tee) and tee._partial:
                self._emit(tee._name, tee._partial)
                tee._partial = ""
        # Only unwrap our own tee; someone who wrapped on top of it keeps theirs.
        if isinstance(sys.stdout, _Tee) and sys.stdout._sink is self:
            sys.stdout = out
        if isinstance(sys.stderr, _Tee) and sys.stderr._sink is self:
            sys.stderr = err
        self._saved = None

    def feed(self, tee: _Tee, text: str) -> None:
        buf = tee._partial + text.replace("\r\n", "\n")
        *complete, tee._partial = buf.split("\n")
        if len(tee._partial) > _MAX_LINE:
            complete.append(tee._partial)
            tee._partial = ""
        for line in complete:
            self._emit(tee._name, line)

    def _emit(self, stream: str, text: str) -> None:
        ts = time.time_ns() // 1_000_000
        with self._lock:
            self._lines.append((self._next, ts, stream, text[:_MAX_LINE]))
            self._next += 1

    def drain(self) -> list[LogLine]:
        with self._lock:
            out, self._lines = self._lines, []
            return out
