"""Small value helpers every service stores the same way: timestamps and bounded JSON.

`clock` is the one clock behind every stored time (timestamps, expiries, TTLs): `now_utc`,
`now_iso` and `now_epoch` all read it, so a test freezes time for the whole server with
`monkeypatch.setattr(values, "clock", lambda: FIXED)`. Durations and timeouts use time.monotonic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .errors import InvalidInput, TooLarge

__all__ = ["checked_json", "clock", "now_epoch", "now_iso", "now_utc"]


def _system_clock() -> datetime:
    return datetime.now(UTC)


clock: Callable[[], datetime] = _system_clock


def now_utc() -> datetime:
    """The current time, timezone-aware UTC."""
    return clock()


def now_epoch() -> float:
    """The current time in epoch seconds (TTL attributes, expiries)."""
    return clock().timestamp()


def now_iso(at: datetime | None = None) -> str:
    # Fixed width (microseconds, Z) so timestamps in sort keys compare as strings.
    return (at or clock()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checked_json(value: Any, *, limit: int, field: str) -> str:
    """`value` as compact JSON. InvalidInput when it is not JSON; TooLarge, naming `field`, when it
    is over `limit` bytes."""
    try:
        encoded = json.dumps(value, separators=(",", ":"), allow_nan=True, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{field}: not JSON-encodable ({exc})", field=field) from None
    size = len(encoded.encode())
    if size > limit:
        raise TooLarge(f"{field} is {size} bytes of JSON; the limit is {limit}", field=field)
    return encoded
