"""Notifications: who hears about what, and telling them.

`notify` fans an event out to the users subscribed to its kind in its project: an in-app entry each
(and the unread counter), an email for those who asked (the local outbox, or queued for SES on AWS),
and a webhook job per subscribed webhook, queued for the delivery worker (or the SQS delivery queue).
Nothing slow happens on the caller's thread. Secrets never leave this module except once, at webhook
creation.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from ..core.caller import Caller
from ..core.errors import ConditionFailed, InvalidInput, NotFound
from ..core.policy import Permission, authorize
from ..core.values import now_iso, now_utc
from ..identity.users import UserService
from ..ports import Condition, Item, ItemStore
from ..projects.service import ProjectService
from ..runs.lookup import authorized_run_item
from . import keys
from .delivery import DeliveryJob, Mailer
from .models import (
    AlertRequest,
    AlertResult,
    Delivery,
    DeliveryPage,
    Notification,
    NotificationPage,
    Subscription,
    SubscriptionSet,
    Webhook,
    WebhookCreate,
    WebhookCreated,
)
from .ssrf import check_webhook_url

__all__ = ["Event", "JobQueue", "NotificationService"]

MAX_WEBHOOKS_PER_USER = 20
PAGE = 50


class JobQueue(Protocol):
    def enqueue(self, job: DeliveryJob) -> None: ...


@dataclass(frozen=True)
class Event:
    kind: str  # models.EVENT_KINDS
    project_id: str
    title: str
    text: str = ""
    level: str = "INFO"
    link: str | None = None
    run_id: str | None = None


def _notification(item: Item) -> Notification:
    return Notification.model_validate({k: v for k, v in item.items() if k in Notification.model_fields})


class NotificationService:
    def __init__(
        self,
        items: ItemStore,
        *,
        queue: JobQueue | None,
        mailer: Mailer | None,
        allow_private_webhooks: bool = False,
    ) -> None:
        self._items = items
        self._queue = queue
        self._mailer = mailer
        self._allow_private = allow_private_webhooks
        self._projects = ProjectService(items)

    # -- subscriptions -------------------------------------------------------------------------------
    def subscribe(self, caller: Caller, project_id: str, body: SubscriptionSet) -> Subscription:
        """Watch a project (events [] stops watching). Webhooks named must be the caller's own."""
        authorize(caller, Permission.PROJECT_READ, self._projects.get_ref(project_id))
        return self.save_subscription(caller, project_id, body)

    def save_subscription(self, caller: Caller, scope_id: str, body: SubscriptionSet) -> Subscription:
        """Store what `caller` hears of `scope_id` (a project, or a registry: registry/routes.py); the
        caller of this method has authorized the read of that scope."""
        for hook_id in body.webhook_ids:
            if self._items.get(*keys.webhook(caller.user_id, hook_id)) is None:
                raise InvalidInput(
                    f"webhook_ids: {hook_id!r} is not one of your webhooks", field="webhook_ids"
                )
        pk, sk = keys.subscription(scope_id, caller.user_id)
        if not body.events:
            self._items.delete(pk, sk)
        else:
            self._items.put(
                {
                    "pk": pk,
                    "sk": sk,
                    "user_id": caller.user_id,
                    "events": sorted(set(body.events)),
                    "email": body.email,
                    "webhook_ids": body.webhook_ids,
                }
            )
        return Subscription(
            project_id=scope_id,
            events=sorted(set(body.events)),
            email=body.email,
            webhook_ids=body.webhook_ids,
        )

    def subscription(self, caller: Caller, project_id: str) -> Subscription:
        authorize(caller, Permission.PROJECT_READ, self._projects.get_ref(project_id))
        return self.stored_subscription(caller, project_id)

    def stored_subscription(self, caller: Caller, scope_id: str) -> Subscription:
        item = self._items.get(*keys.subscription(scope_id, caller.user_id)) or {}
        return Subscription(
            project_id=scope_id,
            events=item.get("events", []),
            email=bool(item.get("email")),
            webhook_ids=item.get("webhook_ids", []),
        )

    def create_webhook(self, caller: Caller, body: WebhookCreate) -> WebhookCreated:
        url = check_webhook_url(body.url, allow_private=self._allow_private)
        existing = list(self._items.query_all(keys.webhooks_of(caller.user_id)))
        if len(existing) >= MAX_WEBHOOKS_PER_USER:
            raise InvalidInput(f"url: at most {MAX_WEBHOOKS_PER_USER} webhooks per user", field="url")
        hook_id, secret, at = secrets.token_hex(8), "whsec_" + secrets.token_urlsafe(32), now_iso()
        pk, sk = keys.webhook(caller.user_id, hook_id)
        self._items.put(
            {
                "pk": pk,
                "sk": sk,
                "id": hook_id,
                "url": url,
                "name": body.name,
                "secret": secret,
                "created_at": at,
            },
            condition=Condition.not_exists(),
        )
        return WebhookCreated(id=hook_id, url=url, name=body.name, created_at=at, secret=secret)

    def webhooks(self, caller: Caller) -> list[Webhook]:
        return [
            Webhook(id=i["id"], url=i["url"], name=i["name"], created_at=i["created_at"])
            for i in self._items.query_all(keys.webhooks_of(caller.user_id))
        ]

    def delete_webhook(self, caller: Caller, hook_id: str) -> None:
        self._own_webhook(caller, hook_id)
        self._items.delete(*keys.webhook(caller.user_id, hook_id))

    def deliveries(self, caller: Caller, hook_id: str) -> DeliveryPage:
        self._own_webhook(caller, hook_id)
        found = self._items.query(keys.deliveries_of(hook_id), limit=PAGE, descending=True).items
        return DeliveryPage(deliveries=[Delivery.model_validate(i) for i in found])

    def _own_webhook(self, caller: Caller, hook_id: str) -> Item:
        item = self._items.get(*keys.webhook(caller.user_id, hook_id))
        if item is None:
            raise NotFound(f"no webhook {hook_id} of yours", field="hook_id")
        return item

    # -- the inbox -----------------------------------------------------------------------------------
    def inbox(
        self, caller: Caller, *, cursor: str | None = None, unread_only: bool = False
    ) -> NotificationPage:
        page = self._items.query(
            keys.inbox(caller.user_id), sk_prefix="N#", limit=PAGE, cursor=cursor, descending=True
        )
        items = [_notification(i) for i in page.items if not (unread_only and i.get("read"))]
        counter = self._items.get(*keys.unread(caller.user_id)) or {}
        return NotificationPage(
            items=items, unread=max(0, int(counter.get("count", 0))), next_cursor=page.cursor
        )

    def mark_read(self, caller: Caller, ids: list[str]) -> NotificationPage:
        """Mark these (or all) read; the unread counter falls by exactly the entries that changed."""
        wanted = set(ids)
        changed = 0
        for item in self._items.query_all(keys.inbox(caller.user_id), sk_prefix="N#", page_size=200):
            if item.get("read") or (wanted and item["id"] not in wanted):
                continue
            try:
                self._items.update(
                    item["pk"],
                    item["sk"],
                    set_attrs={"read": True},
                    condition=Condition.equals("read", False),
                )
                changed += 1
            except ConditionFailed:
                pass  # marked read by a concurrent call, which counted it
        if changed:
            self._items.update(*keys.unread(caller.user_id), add={"count": -changed})
        return self.inbox(caller)

    # -- telling people ------------------------------------------------------------------------------
    def notify(self, event: Event, *, also: Iterable[str] = ()) -> int:
        """Fan `event` out to its scope's subscribers of its kind, and tell the users in `also` (a
        request's reviewers) in-app even when they did not subscribe; returns how many were told."""
        subscribed = {
            sub["user_id"]: sub
            for sub in self._items.query_all(keys.subscribers_of(event.project_id), page_size=500)
            if event.kind in sub.get("events", [])
        }
        told = list(dict.fromkeys([*subscribed, *also]))
        for user_id in told:
            sub = subscribed.get(user_id, {})
            self.tell(user_id, event, email=bool(sub.get("email")), hooks=sub.get("webhook_ids", []))
        return len(told)

    def tell(self, user_id: str, event: Event, *, email: bool, hooks: Iterable[str]) -> None:
        """One user hears of `event`: in-app always, plus email and these webhooks of theirs."""
        at, notification_id = now_iso(), secrets.token_hex(8)
        pk, sk = keys.inbox_entry(user_id, at, notification_id)
        entry = {
            "pk": pk,
            "sk": sk,
            "id": notification_id,
            "kind": event.kind,
            "title": event.title,
            "text": event.text,
            "level": event.level,
            "link": event.link,
            "project_id": event.project_id,
            "run_id": event.run_id,
            "created_at": at,
            "read": False,
            "ttl": int((now_utc() + timedelta(days=90)).timestamp()),
        }
        self._items.put(entry)
        self._items.update(*keys.unread(user_id), add={"count": 1})
        payload = {
            "kind": event.kind,
            "title": event.title,
            "text": event.text,
            "level": event.level,
            "project_id": event.project_id,
            "run_id": event.run_id,
            "link": event.link,
        }
        if email and self._mailer is not None:
            user = UserService(self._items).get(user_id) or {}
            if user.get("email"):
                self._mailer.send(to=user["email"], subject=f"[{event.level}] {event.title}", text=event.text)
        if self._queue is not None:
            for hook_id in hooks:
                self._queue.enqueue(
                    DeliveryJob(
                        due=0.0,
                        delivery_id=secrets.token_hex(8),
                        user_id=user_id,
                        hook_id=hook_id,
                        event=event.kind,
                        payload=payload,
                    )
                )

    # -- alerts --------------------------------------------------------------------------------------
    def alert(self, caller: Caller, run_id: str, body: AlertRequest) -> AlertResult:
        """wandb.alert: at most one alert per title and run within `wait_duration_s`; the run's
        project subscribers to `alert` hear it."""
        run = authorized_run_item(self._items, self._projects, caller, run_id, Permission.RUN_WRITE)
        now = now_utc()
        pk, sk = keys.alert_gate(run["id"], body.title)
        gate = self._items.get(pk, sk)
        if gate is not None and now.timestamp() - float(gate["at"]) < body.wait_duration_s:
            return AlertResult(sent=False, recipients=0)
        try:  # conditional on what was read: of two racing alerts, one is sent
            condition = Condition.not_exists() if gate is None else Condition.equals("at", gate["at"])
            self._items.put({"pk": pk, "sk": sk, "at": now.timestamp()}, condition=condition)
        except ConditionFailed:
            return AlertResult(sent=False, recipients=0)
        link = f"/runs/{run['id']}"
        event = Event("alert", run["project_id"], body.title, body.text, body.level, link, run["id"])
        return AlertResult(sent=True, recipients=self.notify(event))
