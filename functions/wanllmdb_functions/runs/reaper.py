"""The heartbeat reaper: one pass marking silent runs crashed (EventBridge in AWS, periodic locally)."""

from __future__ import annotations

import logging
from datetime import datetime

from ..app.state import AppState
from .service import RunService

__all__ = ["reap_stale_runs", "reaper_task"]

log = logging.getLogger(__name__)


def reap_stale_runs(state: AppState, *, now: datetime | None = None) -> list[str]:
    crashed = RunService.of(state).reap_stale(now=now)
    if crashed:
        log.info("marked %d run(s) crashed after %ss without heartbeat: %s",
                 len(crashed), state.settings.heartbeat_timeout_s, ", ".join(crashed))  # fmt: skip
    return crashed


def reaper_task(state: AppState) -> None:
    """The local server's PERIODIC_TASKS entry."""
    reap_stale_runs(state)
