"""A file written off the caller's thread that must not land after the run finished.

`finish()` calls `settle()`: it waits a bounded time for the thread, then closes the gate. A file
that landed after the run's final state would be uploaded into a finished run (and reopen it), so
whatever the thread still holds by then is dropped, never written late.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["LateWriter"]


class LateWriter:
    WAIT_S = 10.0

    def __init__(self, name: str) -> None:
        self._lock = threading.Lock()
        self._settled = False
        self._thread = threading.Thread(target=self._write, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def settle(self) -> None:
        """Wait up to WAIT_S for the thread; from now on `publish` writes nothing."""
        self._thread.join(self.WAIT_S)
        with self._lock:
            self._settled = True

    def publish(self, write: Callable[[], None]) -> bool:
        """Run `write` unless the run already settled; True when it ran."""
        with self._lock:
            if self._settled:
                return False
            write()
            return True

    def _write(self) -> None:
        raise NotImplementedError
