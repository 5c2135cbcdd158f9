"""What every registry transition leaves behind: an audit line and a timeline entry, written in the
transaction that makes the change (so the three succeed or fail together), and, once it is committed,
the notifications: in-app for reviewers of a new request and for a requester whose request closed, and
webhooks and email for whoever subscribed to the registry."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..audit.service import AuditLog, AuditRecord
from ..core.caller import Caller
from ..core.policy import feed_owner
from ..core.values import now_iso, now_utc
from ..notifications.service import Event, NotificationService
from ..ports import Condition, Item, TransactOp
from . import keys
from .registries import registry_ref

__all__ = ["Change", "RegistryEvents", "version_link"]


@dataclass(frozen=True)
class Change:
    """One transition of one model's version: `kind` is the event (`registry.stage.changed`, …)."""

    kind: str
    model: str
    index: int
    timeline: str  # the TimelineEntry kind: linked, stage, alias or request
    before: str | None = None
    after: str | None = None
    comment: str = ""
    request_id: str | None = None
    status: str | None = None


def version_link(registry: Item, model: str, index: int | None = None) -> str:
    """The dashboard path of a model (or one version): docs/registry.md, "Dashboard links"."""
    base = f"/registries/{registry['entity']}/{registry['name']}/{model}"
    return base if index is None else f"{base}/v{index}"


class RegistryEvents:
    def __init__(self, audit: AuditLog, notifications: NotificationService | None) -> None:
        self._audit = audit
        self._notifications = notifications

    def ops(self, caller: Caller, registry: Item, change: Change) -> list[TransactOp]:
        """The audit line and the timeline entry of `change`, to write in the change's transaction."""
        at, entry_id = now_iso(), secrets.token_hex(6)
        ref = registry_ref(registry)
        audit = self._audit.item_of(
            AuditRecord(
                time=now_utc(),
                actor=caller.username,
                actor_id=caller.user_id,
                via=caller.via,
                action=change.kind,
                target=f"{registry['entity']}/{registry['name']}/{change.model}:v{change.index}",
                status=200,
                source_ip=None,
                request_id=f"registry-{entry_id}",
                project_id=registry["id"],
                owner=feed_owner(ref.owner),
                kind=change.kind,
                object=f"{registry['entity']}/{registry['name']}/{change.model}/v{change.index}",
            )
        )
        pk, sk = keys.timeline_entry(registry["id"], change.model, at, entry_id)
        timeline = {
            "pk": pk,
            "sk": sk,
            "at": at,
            "by": caller.username,
            "version": f"v{change.index}",
            "kind": change.timeline,
            "before": change.before,
            "after": change.after,
            "comment": change.comment,
            "request_id": change.request_id,
            "status": change.status,
        }
        return [
            TransactOp("put", audit, Condition.not_exists()),
            TransactOp("put", timeline, Condition.not_exists()),
        ]

    def announce(
        self, registry: Item, change: Change, title: str, text: str = "", *, also: list[str] | None = None
    ) -> None:
        """Tell the registry's subscribers of `change` (and `also` these user ids, in-app at least)."""
        if self._notifications is None:
            return
        self._notifications.notify(
            Event(
                kind=change.kind,
                project_id=registry["id"],
                title=title,
                text=text,
                link=version_link(registry, change.model, change.index),
            ),
            also=also or [],
        )
