"""The audit log: append one entry per mutating request; list them newest first, filtered and paged."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidInput
from ..core.policy import Permission, authorize
from ..core.values import now_utc
from ..ports import Item, ItemStore
from . import keys
from .models import AuditEntry, AuditPage

if TYPE_CHECKING:
    from ..core.caller import Caller

__all__ = ["AuditLog", "AuditRecord"]

# One listing request reads at most this many pages, so a rare `action` filter cannot scan forever;
# the caller continues from the returned cursor.
MAX_PAGES_PER_LIST = 40
_TOP = "~"  # sorts after any ISO timestamp


@dataclass(frozen=True)
class AuditRecord:
    time: datetime
    actor: str | None
    actor_id: str | None
    via: str | None
    action: str
    target: str
    status: int
    source_ip: str | None
    request_id: str
    # What the request acted on, as noted by the policy check and the service (core/request_scope.py).
    project_id: str | None = None
    owner: str | None = None
    kind: str | None = None
    object: str | None = None


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="microseconds")


def _months_back(newest: datetime, oldest: datetime) -> list[str]:
    months: list[str] = []
    year, month = newest.year, newest.month
    while (year, month) >= (oldest.year, oldest.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _encode_cursor(partition: str, inner: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps([partition, inner]).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[str, str | None]:
    try:
        partition, inner = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(partition, str) and (inner is None or isinstance(inner, str)):
            return partition, inner
    except (ValueError, TypeError, binascii.Error):
        pass
    raise InvalidInput("cursor is not one this server returned", field="cursor")


class AuditLog:
    def __init__(self, items: ItemStore, *, retention_days: int) -> None:
        self._items = items
        self._retention = timedelta(days=retention_days)

    def record(self, entry: AuditRecord) -> None:
        self._items.put(self.item_of(entry))

    def item_of(self, entry: AuditRecord) -> Item:
        """The stored form of `entry`: a service that must write its audit line in the same transaction
        as the change it records (the registry's approvals) puts this item itself."""
        stamp = _stamp(entry.time)
        sk = f"{stamp}#{entry.request_id}"
        return {
            "pk": keys.month_partition(stamp[:7]),
            "sk": sk,
            "gsi1pk": keys.by_actor(entry.actor or "-"),
            "gsi1sk": sk,
            "ttl": int((entry.time + self._retention).timestamp()),
            "time": stamp,
            "actor": entry.actor,
            "actor_id": entry.actor_id,
            "via": entry.via,
            "action": entry.action,
            "target": entry.target,
            "status": entry.status,
            "source_ip": entry.source_ip,
            "request_id": entry.request_id,
            "project_id": entry.project_id,
            "kind": entry.kind,
            "object": entry.object,
            # Successful changes feed the owner's activity (GET …/activity); refusals stay audit-only.
            **(
                {"gsi2pk": keys.by_owner(entry.owner), "gsi2sk": sk}
                if entry.owner and entry.kind and entry.status < 400
                else {}
            ),
        }

    def read(self, caller: Caller, **query: Any) -> AuditPage:
        """The entries `list_entries` finds, for a caller the policy lets read the audit log."""
        authorize(caller, Permission.AUDIT_READ, None)
        return self.list_entries(**query)

    def list_entries(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> AuditPage:
        now = now_utc()
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)  # a time without a zone is read as UTC, like every time here
        oldest = max(since.astimezone(UTC) if since else now - self._retention, now - self._retention)
        if actor is not None:
            partitions, index = [keys.by_actor(actor)], "gsi1"
        else:
            partitions, index = [keys.month_partition(m) for m in _months_back(now, oldest)], None
        start, inner = 0, None
        if cursor is not None:
            partition, inner = _decode_cursor(cursor)
            if partition not in partitions:
                raise InvalidInput("cursor does not belong to these filters", field="cursor")
            start = partitions.index(partition)
        needle = action.lower() if action else None
        found: list[AuditEntry] = []
        reads = 0
        for i in range(start, len(partitions)):
            while True:
                page = self._items.query(
                    partitions[i],
                    index=index,
                    sk_between=(_stamp(oldest), _TOP),
                    limit=limit - len(found),
                    cursor=inner,
                    descending=True,
                )
                reads += 1
                found += [
                    AuditEntry.model_validate({k: item.get(k) for k in AuditEntry.model_fields})
                    for item in page.items
                    if needle is None or needle in item["action"].lower()
                ]
                inner = page.cursor
                if inner is None:
                    break
                if len(found) >= limit or reads >= MAX_PAGES_PER_LIST:
                    return AuditPage(items=found, next_cursor=_encode_cursor(partitions[i], inner))
            if i + 1 < len(partitions) and (len(found) >= limit or reads >= MAX_PAGES_PER_LIST):
                return AuditPage(items=found, next_cursor=_encode_cursor(partitions[i + 1], None))
        return AuditPage(items=found, next_cursor=None)
