"""What the local server mounts and runs. A new service adds its router (and tasks) here, one line each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from fastapi import APIRouter

from .artifacts.retention import artifact_expiry_task
from .artifacts.routes import router as artifacts_router
from .compaction.jobs import compaction_startup
from .compaction.notices import register_compaction_notices
from .deletes.purge import purge_due
from .deletes.run_routes import router as run_deletes_router
from .handlers.identity_routers import IDENTITY_ROUTERS
from .handlers.project_purge import PROJECT_PURGE_PARTS
from .handlers.report_routers import REPORT_EXPORT_ROUTERS, REPORT_ROUTERS
from .identity.bootstrap import ensure_local_admin
from .notifications.alert_routes import router as alert_router
from .notifications.wiring import notify_run_finished
from .query.log_routes import router as logs_router
from .query.media_routes import router as media_router
from .query.routes import router as query_router
from .registry.routes import router as registry_router
from .reports.collab_ws import ws_router as report_collab_ws_router
from .runs.reaper import reaper_task
from .runs.routes import router as runs_router
from .sql.routes import router as sql_router
from .sweeps.analysis_routes import router as sweep_analysis_router
from .sweeps.liveness import sweep_tick_task
from .sweeps.routes import router as sweeps_router

if TYPE_CHECKING:
    from .app.state import AppState

SERVICE_ROUTERS: list[APIRouter] = [
    *IDENTITY_ROUTERS,
    runs_router,
    run_deletes_router,
    artifacts_router,
    registry_router,
    sweeps_router,
    alert_router,
    query_router,
    logs_router,
    media_router,
    sweep_analysis_router,
    sql_router,
    *REPORT_ROUTERS,
    *REPORT_EXPORT_ROUTERS,
    report_collab_ws_router,
]


def compaction_on_finish(state: AppState) -> Iterator[str]:
    """With a compaction queue (the aws backend, as deployed) a finished run is handed to the queue's
    consumer, exactly as the runs Lambda does; without one this process compacts it itself."""
    queue_url = state.settings.compaction_queue_url
    if queue_url:
        register_compaction_notices(state.run_finished, lambda: state.settings, state.run_changed)
        yield f"compaction: finished runs are queued on {queue_url}"
    else:
        yield from compaction_startup(state)


def notifications_on_finish(state: AppState) -> Iterator[str]:
    notify_run_finished(state)
    yield "notifications: subscribers hear of finished, failed and crashed runs"


def purge_task(state: AppState) -> None:
    """Purge the deletions whose grace period is over; a project's sweeps and reports go with it."""
    purge_due(state, owned=PROJECT_PURGE_PARTS)


# Run once when the local server starts; each yields lines to print for the operator.
STARTUP_HOOKS: list[Callable[[AppState], Iterable[str]]] = [
    ensure_local_admin,
    compaction_on_finish,
    notifications_on_finish,
]

# Run every `reaper_interval_s` in the local server (in AWS, scheduled Lambdas do this).
PERIODIC_TASKS: list[Callable[[AppState], None]] = [
    reaper_task,
    purge_task,
    artifact_expiry_task,
    sweep_tick_task,
]
