"""Lambda entry point for the reaper, run by an EventBridge schedule.

How often is stated once, as `REAPER_RATE_MINUTES` in infra_cdk/triggers.py (the local server
reaps every `WANLLMDB_REAPER_INTERVAL_S` instead).
"""

from __future__ import annotations

from typing import Any

from ..app.state import AppState
from ..compaction.notices import register_compaction_notices
from ..core.errors import InvalidInput
from ..notifications.wiring import notify_run_finished
from ..runs.reaper import reap_stale_runs

__all__ = ["handler"]

# Built once per container: settings and storage clients are reused across invocations.
_state = AppState()

# A run the reaper marks crashed is compacted like a finished one: tell the compaction queue; and its
# project's subscribers hear that it crashed.
register_compaction_notices(_state.run_finished, lambda: _state.settings, _state.run_changed)
notify_run_finished(_state)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    # Anything but a scheduled event is a wiring mistake; refuse it instead of reaping on a stray call.
    if not isinstance(event, dict) or event.get("detail-type") != "Scheduled Event":
        raise InvalidInput(
            "the reaper only accepts EventBridge 'Scheduled Event' payloads", field="detail-type"
        )
    crashed = reap_stale_runs(_state)
    return {"crashed": crashed, "count": len(crashed)}
