"""The notification service as each app builds it, and the run listeners that feed it.

Webhooks and email are delivered beside the request path: the local server runs one delivery thread
(AppState.shared) and writes email to its outbox folder; on AWS they are queued on the notification
queue (`WANLLMDB_NOTIFICATION_QUEUE_URL`) for the delivery function, which sends email through SES
from `WANLLMDB_EMAIL_FROM`. An aws backend without the queue (or, for email, without a sender) refuses
them up front, naming the setting, rather than accepting them and never sending.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..adapters.aws_messaging import SesMailer, SqsSender
from ..core.errors import InvalidInput
from ..ports.events import RunFinished, RunSummaryChanged
from ..runs.lookup import run_label
from .automations import AutomationService
from .delivery import DeliveryWorker, OutboxMailer
from .queued import QueuedDelivery
from .service import Event, NotificationService

if TYPE_CHECKING:
    from ..app.state import AppState
    from ..core.settings import Settings

__all__ = [
    "FanOut",
    "automation_service",
    "delivery_queue",
    "notification_service",
    "notify_run_finished",
    "require_delivery",
    "ses_mailer",
]


class FanOut(ThreadPoolExecutor):
    """One thread per app that tells subscribers, in the order events happened."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="wanllmdb-fanout")


_RUN_EVENTS = {"finished": "run_finished", "failed": "run_failed", "crashed": "run_crashed"}


def _has_delivery(state: AppState, *, email: bool = False) -> bool:
    settings = state.settings
    if settings.backend == "local":
        return True
    return bool(settings.notification_queue_url) and (not email or bool(settings.email_from))


def notification_service(state: AppState) -> NotificationService:
    settings = state.settings
    if settings.backend == "local":
        worker = state.shared(
            DeliveryWorker,
            lambda s: DeliveryWorker(state.storage.items, allow_private=s.webhook_allow_private),
        )
        return NotificationService(
            state.storage.items,
            queue=worker,
            mailer=OutboxMailer(settings.data_dir / "outbox"),
            allow_private_webhooks=settings.webhook_allow_private,
        )
    if not settings.notification_queue_url:
        return NotificationService(state.storage.items, queue=None, mailer=None)
    queued = QueuedDelivery(delivery_queue(state))
    return NotificationService(
        state.storage.items,
        queue=queued,
        mailer=queued if settings.email_from else None,
        allow_private_webhooks=settings.webhook_allow_private,
    )


def delivery_queue(state: AppState) -> SqsSender:
    """This app's sender to the notification queue (WANLLMDB_NOTIFICATION_QUEUE_URL, which must be set)."""

    def build(settings: Settings) -> SqsSender:
        if not settings.notification_queue_url:
            raise InvalidInput("WANLLMDB_NOTIFICATION_QUEUE_URL is not set", field="notification_queue_url")
        endpoint = settings.sqs_endpoint_url or settings.s3_endpoint_url
        return SqsSender(settings.notification_queue_url, region=settings.region, endpoint_url=endpoint)

    return state.shared(SqsSender, build)


def ses_mailer(state: AppState) -> SesMailer | None:
    """This app's SES mailer, from WANLLMDB_EMAIL_FROM; None where no sender is set."""
    if not state.settings.email_from:
        return None

    def build(settings: Settings) -> SesMailer:
        assert settings.email_from
        return SesMailer(settings.email_from, region=settings.region, endpoint_url=settings.ses_endpoint_url)

    return state.shared(SesMailer, build)


def automation_service(state: AppState) -> AutomationService:
    return AutomationService(state.storage.items, notification_service(state))


def require_delivery(state: AppState, field: str, *, email: bool = False) -> None:
    if _has_delivery(state, email=email):
        return
    if not state.settings.notification_queue_url:
        raise InvalidInput(
            f"{field}: this deployment has no notification queue (WANLLMDB_NOTIFICATION_QUEUE_URL), "
            "so it delivers in-app notifications only",
            field=field,
        )
    raise InvalidInput(
        f"{field}: this deployment sends no email: its operator has not set a verified SES sender "
        "(WANLLMDB_EMAIL_FROM, cdk -c email_from=...); use in-app or webhook notifications",
        field=field,
    )


def notify_run_finished(state: AppState) -> None:
    """Subscribe this app's run hooks: subscribers hear that a run finished, failed or crashed, and
    the project's automations are evaluated (run_crashed on the finish, metric_threshold on each
    new summary)."""

    def later(work: Callable[[], object]) -> None:
        if state.settings.backend == "local":
            # The local server fans out on its own thread: 100 subscribers cost ~0.5 s of SQLite writes,
            # which the request that finished the run must not wait for. (A Lambda may be frozen once it
            # has answered, so there the fan-out stays on the request; webhooks and email only enqueue.)
            state.shared(FanOut, lambda _s: FanOut()).submit(work)
        else:
            work()

    def on_finished(event: RunFinished) -> None:
        kind = _RUN_EVENTS.get(event.state)
        if kind is not None:
            later(lambda: tell(event, kind))

    # A listener of its own, so that a failing fan-out never keeps the automations from running.
    def on_ended(event: RunFinished) -> None:
        later(lambda: automation_service(state).on_run_ended(event.project_id, event.run_id, event.state))

    def on_summary(event: RunSummaryChanged) -> None:
        later(lambda: automation_service(state).on_summary(event.project_id, event.run_id, event.summary))

    def tell(event: RunFinished, kind: str) -> None:
        title = f"Run {run_label(event.items, event.project_id, event.run_id)} {event.state}"
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
    state.run_finished.subscribe(on_ended)
    state.run_summary.subscribe(on_summary)
