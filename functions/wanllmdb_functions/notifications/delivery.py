"""Delivering notifications off the request path: webhooks (signed, retried with backoff, logged) and
email (an outbox folder locally: one .eml file per message, no SMTP server needed).

The local server runs one `DeliveryWorker` thread per app (AppState.shared). A request that causes a
notification only queues a job, so a slow or failing webhook never slows it down. On AWS the same
jobs go through SQS to the delivery function instead (queued.py), which calls `deliver_once` too.
"""

from __future__ import annotations

import heapq
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

import httpx

from ..core.values import now_epoch, now_iso
from ..ports import ItemStore
from . import keys
from .signing import SIGNATURE_HEADER, sign
from .ssrf import check_webhook_url

__all__ = [
    "RETRY_DELAYS_S",
    "DeliveryJob",
    "DeliveryWorker",
    "Mailer",
    "OutboxMailer",
    "deliver_once",
    "write_outbox",
]

log = logging.getLogger("wanllmdb.notifications")

# Seconds to wait before each retry: a failed delivery is tried len + 1 times, then logged as failed.
RETRY_DELAYS_S: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0, 600.0)
TIMEOUT_S = 10.0


@dataclass(order=True)
class DeliveryJob:
    due: float
    delivery_id: str = field(compare=False)
    user_id: str = field(compare=False)
    hook_id: str = field(compare=False)
    event: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)
    attempt: int = field(default=0, compare=False)
    created_at: str = field(default_factory=now_iso, compare=False)


def _record(items: ItemStore, job: DeliveryJob, status: str, *, code: int | None, error: str | None) -> None:
    pk, sk = keys.delivery(job.hook_id, job.created_at, job.delivery_id)
    items.put(
        {
            "pk": pk,
            "sk": sk,
            "id": job.delivery_id,
            "event": job.event,
            "status": status,
            "attempts": job.attempt + 1,
            "response_status": code,
            "error": error,
            "created_at": job.created_at,
            "updated_at": now_iso(),
            # Delivery logs are kept 30 days.
            "ttl": int(now_epoch()) + 30 * 86400,
        }
    )


def deliver_once(
    items: ItemStore,
    job: DeliveryJob,
    *,
    allow_private: bool,
    retries: int = len(RETRY_DELAYS_S),
    post: Callable[..., Any] = httpx.post,
) -> bool:
    """One attempt; True when done (delivered, or failed for good), False to retry later."""
    hook = items.get(*keys.webhook(job.user_id, job.hook_id))
    if hook is None:
        return True  # the webhook was deleted meanwhile: nothing to deliver to
    message = {"id": job.delivery_id, "event": job.event, **job.payload}
    body = json.dumps(message, separators=(",", ":")).encode()
    code: int | None = None
    try:
        check_webhook_url(hook["url"], allow_private=allow_private)  # again: DNS may have changed
        response = post(
            hook["url"],
            content=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(hook["secret"], body, int(time.time())),
            },
            timeout=TIMEOUT_S,
            follow_redirects=False,
        )
        code = response.status_code
        if 200 <= code < 300:
            _record(items, job, "delivered", code=code, error=None)
            return True
        error = f"HTTP {code}"
    except Exception as exc:  # any failure of one delivery is recorded, never raised
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    last = job.attempt >= retries
    _record(items, job, "failed" if last else "retrying", code=code, error=error)
    return last


def write_outbox(outbox: Path, *, to: str, subject: str, text: str) -> Path:
    """One email as an .eml file in the local outbox (the dashboard lists them)."""
    message = EmailMessage()
    message["From"] = "wanllmdb@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{now_iso().replace(':', '')}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path


class Mailer(Protocol):
    def send(self, *, to: str, subject: str, text: str) -> None: ...


class OutboxMailer:
    """The local server's mail: every message becomes an .eml file in the outbox folder."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def send(self, *, to: str, subject: str, text: str) -> None:
        write_outbox(self.outbox, to=to, subject=subject, text=text)


class DeliveryWorker:
    """A thread that delivers queued webhook jobs when they are due, retrying with backoff."""

    def __init__(
        self, items: ItemStore, *, allow_private: bool = False, delays_s: tuple[float, ...] = RETRY_DELAYS_S
    ) -> None:
        self._items = items
        self._allow_private = allow_private
        self._delays = delays_s
        self._jobs: list[DeliveryJob] = []
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="wanllmdb-deliveries", daemon=True)
        self._thread.start()

    def enqueue(self, job: DeliveryJob) -> None:
        with self._wake:
            heapq.heappush(self._jobs, job)
            self._wake.notify()

    def pending(self) -> int:
        with self._wake:
            return len(self._jobs)

    def _next(self) -> DeliveryJob:
        with self._wake:
            while True:
                if self._jobs:
                    wait = self._jobs[0].due - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self._jobs)
                    self._wake.wait(wait)
                else:
                    self._wake.wait()

    def _run(self) -> None:
        while True:
            job = self._next()
            try:
                done = deliver_once(
                    self._items, job, allow_private=self._allow_private, retries=len(self._delays)
                )
            except Exception:  # the store failed: keep the job rather than lose it
                log.exception("delivery %s could not be recorded", job.delivery_id)
                done = False
            if not done:
                delay = self._delays[min(job.attempt, len(self._delays) - 1)]
                job.attempt += 1
                job.due = time.monotonic() + delay
                self.enqueue(job)
