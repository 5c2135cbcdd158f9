"""Run lifecycle events for in-process listeners (the local server's compaction hook).

In AWS, compaction is triggered by S3 events through SQS, so nothing needs to listen here; in
embedded mode the query service registers a listener with `on_run_finished`. Listeners run
after the state change is committed; a failing listener is logged and never fails the request.
Long work belongs on the listener's own thread: `finish()` must not wait on compaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..ports import BlobStore, ItemStore

__all__ = ["RunFinished", "RunFinishedListener", "fire_run_finished", "on_run_finished", "remove_listener"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunFinished:
    """A run entered `finished`, `failed` or `crashed`."""

    run_id: str
    project_id: str
    state: str
    attempt: int
    items: ItemStore
    blobs: BlobStore


RunFinishedListener = Callable[[RunFinished], None]

_listeners: list[RunFinishedListener] = []
_lock = threading.Lock()


def on_run_finished(listener: RunFinishedListener) -> RunFinishedListener:
    """Register `listener` (usable as a decorator); registering the same one twice is a no-op."""
    with _lock:
        if listener not in _listeners:
            _listeners.append(listener)
    return listener


def remove_listener(listener: RunFinishedListener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def fire_run_finished(event: RunFinished) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(event)
        except Exception:  # compaction failing must not turn a committed finish into an error
            log.exception("run-finished listener %r failed for run %s", listener, event.run_id)
