"""In-process fan-out of a report's collaboration messages: websockets and long-polls of one server.

A POST (run in the thread pool) or a websocket (on the event loop) publishes a message; every
subscriber of that report gets it in its own asyncio queue at once. This is the local server's
fast path only: the item store stays the truth, so a subscriber that misses a message (another
process appended it, or its queue was full) catches up by reading the store since its last seq.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CollabHub", "Subscription"]

_QUEUE_LIMIT = 256


@dataclass(eq=False)
class Subscription:
    report_id: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(_QUEUE_LIMIT))
    # Set when a message was dropped for a full queue: the subscriber must read the store.
    overflowed: bool = False

    def _offer(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True


class CollabHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {}

    @contextlib.contextmanager
    def subscribe(self, report_id: str) -> Iterator[Subscription]:
        """A subscription for the running event loop, dropped when the block ends."""
        sub = Subscription(report_id, asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault(report_id, set()).add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                subs = self._subs.get(report_id)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[report_id]

    def publish(self, report_id: str, message: dict[str, Any], *, skip: Subscription | None = None) -> None:
        """Hand `message` to every subscriber of the report but `skip`; safe from any thread."""
        with self._lock:
            subs = [s for s in self._subs.get(report_id, ()) if s is not skip]
        for sub in subs:
            with contextlib.suppress(RuntimeError):  # its loop closed: the server is stopping
                sub.loop.call_soon_threadsafe(sub._offer, message)

    def subscribers(self, report_id: str) -> int:
        with self._lock:
            return len(self._subs.get(report_id, ()))
