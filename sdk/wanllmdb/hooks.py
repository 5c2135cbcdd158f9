"""Process hooks for the active run: atexit, sys.excepthook, sys.exit codes, and SIGTERM.

An uncaught exception marks the run failed; SIGTERM (preemption, scancel, docker stop) unwinds the
program with exit status 143, and atexit flushes the spool and marks the run crashed.
"""

from __future__ import annotations

import atexit
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

__all__ = ["ProcessHooks"]


class ProcessHooks:
    def __init__(self, finish: Callable[[int, str], None]) -> None:
        self._finish = finish
        self._exit_code: int | None = None
        self._failed = False
        self._signal_state: str | None = None
        self._prev_excepthook = sys.excepthook
        self._prev_exit = sys.exit
        self._prev_sigterm: Any = None
        self._installed = False

    def install(self, *, signals: bool) -> None:
        atexit.register(self._at_exit)
        sys.excepthook = self._excepthook
        sys.exit = self._exit  # type: ignore[assignment]
        if signals and threading.current_thread() is threading.main_thread():
            current = signal.getsignal(signal.SIGTERM)
            if current in (signal.SIG_DFL, None):  # never take over a handler the user installed
                self._prev_sigterm = current
                signal.signal(signal.SIGTERM, self._on_sigterm)
        self._installed = True

    def uninstall(self) -> None:
        if not self._installed:
            return
        atexit.unregister(self._at_exit)
        if sys.excepthook == self._excepthook:
            sys.excepthook = self._prev_excepthook
        if sys.exit == self._exit:
            sys.exit = self._prev_exit
        if (
            self._prev_sigterm is not None
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGTERM) == self._on_sigterm
        ):
            signal.signal(signal.SIGTERM, self._prev_sigterm)
        self._installed = False

    def _exit(self, code: Any = None) -> None:
        self._exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        self._prev_exit(code)

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self._failed = True
        self._prev_excepthook(exc_type, exc, tb)  # print the traceback before the (bounded) upload wait
        state = "crashed" if issubclass(exc_type, KeyboardInterrupt) else "failed"
        self._finish(1, state)

    def _at_exit(self) -> None:
        code = self._exit_code or 0
        self._finish(code, self._signal_state or ("failed" if code else "finished"))

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        # Finishing inside the handler could deadlock: it may have interrupted log() holding the buffer
        # lock. Raising SystemExit unwinds the training loop instead (log() rolls back a half-added row),
        # runs the user's finally blocks, and atexit then flushes and marks the run crashed.
        self._exit_code = 128 + signum
        self._signal_state = "crashed"
        raise SystemExit(128 + signum)
