"""In-process event hooks owned by one AppState.

A hook belongs to the app that fires it, not to the Python process: a process that hosts several
apps (a test run, or the local server next to a Lambda handler's code) must not hand one app's
events to another app's listeners.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Hook"]

log = logging.getLogger(__name__)

E = TypeVar("E")


class Hook(Generic[E]):
    """Listeners for one kind of event. They run after the change they report is committed; a
    failing listener is logged and never fails the caller. Long work belongs on the listener's
    own thread."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._listeners: list[Callable[[E], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[E], None]) -> Callable[[E], None]:
        """Add `listener`; adding the same one twice is a no-op."""
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)
        return listener

    def unsubscribe(self, listener: Callable[[E], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, event: E) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a listener failing must not turn a committed change into an error
                log.exception("%s listener %r failed for %r", self._name, listener, event)
