"""Login throttling: at most `MAX_FAILURES` wrong passwords per username per window, then 429.

Counted per username (not per IP) because a password-guessing attacker rotates addresses, and the
counter lives in the ItemStore with a TTL so every Lambda instance and the local server share it.
"""

from __future__ import annotations

import time

from ..core.errors import RateLimited
from ..ports import ItemStore

__all__ = ["MAX_FAILURES", "WINDOW_S", "LoginThrottle"]

MAX_FAILURES = 10
WINDOW_S = 15 * 60


class LoginThrottle:
    def __init__(self, items: ItemStore, *, now: float | None = None) -> None:
        self._items = items
        self._window = int((now if now is not None else time.time()) // WINDOW_S)

    def _key(self, username: str) -> tuple[str, str]:
        return f"LOGINFAIL#{username[:128]}", f"WINDOW#{self._window}"

    def check(self, username: str) -> None:
        item = self._items.get(*self._key(username))
        if item is not None and int(item.get("failures", 0)) >= MAX_FAILURES:
            retry = (self._window + 1) * WINDOW_S - int(time.time())
            raise RateLimited(
                f"too many failed logins for {username!r}: try again in {max(retry, 1)} s", field="username"
            )

    def record_failure(self, username: str) -> None:
        pk, sk = self._key(username)
        self._items.update(pk, sk, add={"failures": 1}, set_attrs={"ttl": (self._window + 2) * WINDOW_S})
