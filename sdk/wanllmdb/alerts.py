"""``wanllmdb.alert`` and ``wanllmdb.AlertLevel``: wandb's alert call, checked here and sent through the
run's operation spool, so it never blocks training and survives an outage (``wanllmdb sync`` sends it)."""

from __future__ import annotations

import math
from datetime import timedelta
from enum import Enum
from typing import Any

from wanllmdb.errors import UsageError

__all__ = ["AlertLevel", "alert_body"]

MAX_TITLE_CHARS = 63  # wandb: "must be less than 64 characters long"
MAX_TEXT_CHARS = 10_000
DEFAULT_WAIT = timedelta(minutes=1)


class AlertLevel(Enum):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


def alert_body(
    title: str, text: str, level: str | AlertLevel | None = None, wait_duration: Any = None
) -> dict[str, Any]:
    """The alert as the server takes it (POST /runs/{id}/alerts), or UsageError naming the argument."""
    if not isinstance(title, str) or not 0 < len(title) <= MAX_TITLE_CHARS:
        raise UsageError(f"alert(): title must be 1..{MAX_TITLE_CHARS} characters, got {title!r:.80}")
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise UsageError(f"alert(): text must be a string of at most {MAX_TEXT_CHARS} characters")
    name = (level.value if isinstance(level, AlertLevel) else level) or "INFO"
    if name not in {lev.value for lev in AlertLevel}:
        raise UsageError(f"alert(): level must be one of 'INFO', 'WARN' or 'ERROR', got {level!r}")
    wait: Any = DEFAULT_WAIT if wait_duration is None else wait_duration
    if isinstance(wait, int | float) and not isinstance(wait, bool):
        seconds = float(wait)
    elif callable(getattr(wait, "total_seconds", None)):
        seconds = float(wait.total_seconds())
    else:
        raise UsageError("alert(): wait_duration must be an int, float or datetime.timedelta (seconds)")
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"alert(): wait_duration must be 0 seconds or more, got {seconds}")
    return {"title": title, "text": text, "level": name, "wait_duration_s": seconds}
