"""Lambda entry point for the reaper, run by an EventBridge schedule: it marks silent runs crashed,
settles live sweeps (a dead agent's trial is marked crashed even with no other agent beating:
sweeps/liveness.py), then purges the deletions whose grace period is over (deletes/purge.py), then
expires the artifact versions whose TTL is over (artifacts/retention.py), within the time it has left.

How often is stated once, as `REAPER_RATE_MINUTES` in infra_cdk/triggers.py (the local server
reaps every `WANLLMDB_REAPER_INTERVAL_S` instead).
"""

from __future__ import annotations

from typing import Any

from ..app.state import AppState
from ..artifacts.retention import expire_due_artifacts
from ..compaction.notices import register_compaction_notices
from ..core.errors import InvalidInput
from ..deletes.purge import purge_due
from ..notifications.wiring import notify_run_finished
from ..runs.reaper import reap_stale_runs
from ..sweeps.liveness import tick_sweeps
from .project_purge import PROJECT_PURGE_PARTS

__all__ = ["handler"]

MARGIN_S = 20.0

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
    settled = tick_sweeps(_state)
    # What the purge leaves undone when its budget runs out is resumed on the next schedule.
    purged = purge_due(_state, owned=PROJECT_PURGE_PARTS, budget_s=_budget_s(context))
    # Read again: what the purge spent is gone. Versions left due are expired on the next schedule.
    expired = expire_due_artifacts(_state, budget_s=_budget_s(context))
    return {
        "crashed": crashed,
        "count": len(crashed),
        "sweeps_settled": settled,
        "purged": purged,
        "expired_artifacts": expired,
    }


def _budget_s(context: Any) -> float:
    """The function's remaining time less a margin for the last batch and the answer."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", lambda: 60_000)()
    return max(1.0, remaining_ms / 1000 - MARGIN_S)
