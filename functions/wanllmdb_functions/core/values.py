"""Small value helpers every service stores the same way: timestamps and bounded JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .errors import InvalidInput, TooLarge

__all__ = ["checked_json", "now_iso"]


def now_iso(at: datetime | None = None) -> str:
    # Fixed width (microseconds, Z) so timestamps in sort keys compare as strings.
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
