"""Delivery through a queue (AWS): the request enqueues, the delivery function delivers.

`QueuedDelivery` is what a request-serving Lambda gives the NotificationService as both its job
queue and its mailer: each webhook job and each email becomes one SQS message, so the request never
waits on a receiver or on SES. The delivery function (handlers/notify.py) hands each message to
`deliver_message`: a webhook goes through `deliver_once` (the same signing, SSRF re-check and
delivery log as the local worker); a failed attempt is sent back to the queue with the next delay of
RETRY_DELAYS_S as its DelaySeconds, until the last attempt is logged as failed. An email goes to the
mailer (SES).

Messages: `{"type": "webhook", "delivery_id", "user_id", "hook_id", "event", "payload", "attempt",
"created_at"}` and `{"type": "email", "to", "subject", "text"}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import httpx

from ..core.errors import InvalidInput
from ..ports import ItemStore
from .delivery import RETRY_DELAYS_S, DeliveryJob, Mailer, deliver_once

__all__ = ["MessageSender", "QueuedDelivery", "deliver_message"]


class MessageSender(Protocol):
    def send(self, body: dict[str, Any], *, delay_s: int = 0) -> None: ...


def _job_message(job: DeliveryJob) -> dict[str, Any]:
    return {
        "type": "webhook",
        "delivery_id": job.delivery_id,
        "user_id": job.user_id,
        "hook_id": job.hook_id,
        "event": job.event,
        "payload": job.payload,
        "attempt": job.attempt,
        "created_at": job.created_at,
    }


class QueuedDelivery:
    """A JobQueue and a Mailer that only enqueue: the delivery function does the work."""

    def __init__(self, sender: MessageSender) -> None:
        self._sender = sender

    def enqueue(self, job: DeliveryJob) -> None:
        self._sender.send(_job_message(job))

    def send(self, *, to: str, subject: str, text: str) -> None:
        self._sender.send({"type": "email", "to": to, "subject": subject, "text": text})


def _job(body: dict[str, Any]) -> DeliveryJob:
    try:
        return DeliveryJob(
            due=0.0,
            delivery_id=str(body["delivery_id"]),
            user_id=str(body["user_id"]),
            hook_id=str(body["hook_id"]),
            event=str(body["event"]),
            payload=dict(body["payload"]),
            attempt=int(body.get("attempt", 0)),
            created_at=str(body["created_at"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"webhook message lacks a valid {exc}", field="body") from None


def deliver_message(
    body: dict[str, Any],
    items: ItemStore,
    *,
    mailer: Mailer | None,
    requeue: MessageSender,
    allow_private: bool,
    delays_s: tuple[float, ...] = RETRY_DELAYS_S,
    post: Callable[..., Any] = httpx.post,
) -> str:
    """Deliver one queued message; returns what happened: delivered, retry queued, failed or emailed.

    Raises only when the message cannot be handled at all (malformed, or no mailer for an email),
    so that SQS retries it and then moves it to the dead-letter queue.
    """
    kind = body.get("type")
    if kind == "email":
        if mailer is None:
            raise InvalidInput("an email message arrived but WANLLMDB_EMAIL_FROM is not set", field="type")
        mailer.send(to=str(body["to"]), subject=str(body["subject"]), text=str(body["text"]))
        return "emailed"
    if kind != "webhook":
        raise InvalidInput(f"unknown delivery message type {kind!r}; expected webhook or email", field="type")
    job = _job(body)
    if deliver_once(items, job, allow_private=allow_private, retries=len(delays_s), post=post):
        return "done"
    delay = delays_s[min(job.attempt, len(delays_s) - 1)]
    job.attempt += 1
    requeue.send(_job_message(job), delay_s=int(delay))
    return "retry queued"
