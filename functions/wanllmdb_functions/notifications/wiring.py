"""The notification service as each app builds it, and the run-finished listener that feeds it.

Webhooks and email need a delivery worker beside the request path: the local server runs one thread
(AppState.shared). Deployed on AWS they need the delivery queue, which this version does not deploy,
so there they are refused up front (naming why) rather than accepted and never sent; in-app
notifications work on both.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..core.errors import InvalidInput
from ..ports.events import RunFinished
from .delivery import DeliveryWorker
from .service import Event, NotificationService

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["FanOut", "notification_service", "notify_run_finished", "require_delivery"]


class FanOut(ThreadPoolExecutor):
    """One thread per app that tells subscribers, in the order events happened."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="wanllmdb-fanout")


_RUN_EVENTS = {"finished": "run_finished", "failed": "run_failed", "crashed": "run_crashed"}


def _has_delivery(state: AppState) -> bool:
    return state.settings.backend == "local"


def notification_service(state: AppState) -> NotificationService:
    settings = state.settings
    if not _has_delivery(state):
        return NotificationService(state.storage.items, queue=None, outbox=None)
    worker = state.shared(
        DeliveryWorker,
        lambda s: DeliveryWorker(state.storage.items, allow_private=s.webhook_allow_private),
    )
    return NotificationService(
        state.storage.items,
        queue=worker,
        outbox=settings.data_dir / "outbox",
        allow_private_webhooks=settings.webhook_allow_private,
    )


def require_delivery(state: AppState, field: str) -> None:
    if not _has_delivery(state):
        raise InvalidInput(
            f"{field}: webhook and email delivery run on the local server only in this version; AWS "
            "deployments deliver in-app notifications",
            field=field,
        )


def notify_run_finished(state: AppState) -> None:
    """Subscribe this app's run-finished hook: subscribers hear that a run finished, failed or crashed."""

    def on_finished(event: RunFinished) -> None:
        kind = _RUN_EVENTS.get(event.state)
        if kind is None:
            return
        if _has_delivery(state):
            # The local server fans out on its own thread: 100 subscribers cost ~0.5 s of SQLite writes,
            # which the request that finished the run must not wait for. (A Lambda may be frozen once it
            # has answered, so there the fan-out stays on the request.)
            state.shared(FanOut, lambda _s: FanOut()).submit(lambda: tell(event, kind))
        else:
            tell(event, kind)

    def tell(event: RunFinished, kind: str) -> None:
        title = f"Run {event.run_id} {event.state}"
        notification_service(state).notify(
            Event(
                kind,
                event.project_id,
                title,
                level="ERROR" if kind != "run_finished" else "INFO",
                link=f"/runs/{event.run_id}",
                run_id=event.run_id,
            )
        )

    state.run_finished.subscribe(on_finished)
