"""Real-time collaboration on a report (issue 21, "Collab"): Yjs updates and presence in the item store.

Items, in the report's own partition (keys.report_of: deleting the report deletes them), under
`Y#`, so one query reads what a client lacks:

    REPORT#<id> / Y#HEAD                       {seq}: the number of the last update appended
    REPORT#<id> / Y#U#<seq:012d>               one Yjs update (base64), who sent it, its update id
    REPORT#<id> / Y#ID#<update_id>             the seq an update id got (expires after a day)
    REPORT#<id> / Y#SNAP                       {seq, snapshot_id, parts}: updates 1..seq merged
    REPORT#<id> / Y#SP#<snapshot_id>#<i>       part i of that merged update
    REPORT#<id> / Y#P#<user>#<client_id>       one client's presence, expiring after PRESENCE_TTL_S

Every append is one transaction that moves HEAD from n to n+1 (a conditional put), writes U#n+1 and
claims ID#<update_id>: sequence numbers have no gaps and are visible in order, and a retried POST
finds its id claimed and answers the seq it got the first time. Updates are immutable, so a
compaction that merges 1..k into a snapshot and wins the conditional put of SNAP cannot lose one; a
reader that meets the gap the deletes leave reads the snapshot instead.

The service knows nothing of HTTP; who may read or write a report is decided by the `ReportGate`
it is given (the reports service's authorization).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pycrdt

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, InvalidInput, TooLarge
from ..core.policy import Permission
from ..ports.item_store import Condition, Item, ItemStore, TransactOp
from . import keys

__all__ = [
    "COMPACT_EVERY",
    "MAX_UPDATE_BYTES",
    "PRESENCE_TTL_S",
    "CollabBatch",
    "CollabService",
    "Presence",
    "ReportGate",
    "UpdateInvalid",
    "decode_update",
]

# Past this many updates since the last snapshot, the appender merges them into one.
COMPACT_EVERY = 100
# One update is one item; base64 of this stays well under the store's MAX_ITEM_BYTES.
MAX_UPDATE_BYTES = 192 * 1024
# A snapshot larger than one item is stored in parts of this size.
SNAPSHOT_PART_BYTES = 200 * 1024
# Clients refresh their presence every ~10 s; one that stops for this long is gone.
PRESENCE_TTL_S = 30
MAX_CURSOR_BYTES = 8192
UPDATE_ID_TTL_S = 24 * 3600
_SEQ_MAX = 10**12 - 1
_APPEND_ATTEMPTS = 50

# (caller, report_id, permission) -> None, raising NotFound / Forbidden: the reports service's policy.
ReportGate = Callable[[Caller, str, Permission], None]


HEAD = "Y#HEAD"
SNAP = "Y#SNAP"


def _pk(report_id: str) -> str:
    return keys.report_of(report_id)


def _update_sk(seq: int) -> str:
    return f"Y#U#{seq:012d}"


def _part_prefix(snapshot_id: str) -> str:
    return f"Y#SP#{snapshot_id}#"


class UpdateInvalid(InvalidInput):
    """A posted update is not base64 of a Yjs update: 422, as a body that fails its schema."""

    status = 422


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_update(text: str, *, field: str = "update") -> bytes:
    """The bytes of a base64 Yjs update, checked by applying it to a fresh pycrdt Doc (422 if not one)."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UpdateInvalid("update is not base64", field=field) from None
    if len(data) > MAX_UPDATE_BYTES:
        raise TooLarge(f"an update is at most {MAX_UPDATE_BYTES} bytes; send smaller ones", field=field)
    try:
        pycrdt.Doc().apply_update(data)
    except Exception as exc:  # pycrdt raises ValueError, but a panic in yrs surfaces as others
        raise UpdateInvalid(f"not a Yjs update: {exc}", field=field) from None
    return data


@dataclass(frozen=True)
class Presence:
    client_id: str
    user: str
    name: str
    color: str
    at: str
    cursor: Any = None
    block_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "user": self.user,
            "name": self.name,
            "color": self.color,
            "cursor": self.cursor,
            "block_id": self.block_id,
            "at": self.at,
        }


@dataclass(frozen=True)
class CollabBatch:
    """What a client that has seen updates 1..since lacks: `updates` bring it to `seq`."""

    seq: int
    updates: list[bytes] = field(default_factory=list)

    def encoded(self) -> list[str]:
        return [_b64(u) for u in self.updates]


def color_of(username: str) -> str:
    """A stable caret colour per user, so a person keeps their colour across tabs and reloads."""
    hue = int.from_bytes(hashlib.sha256(username.encode()).digest()[:2], "big") % 360
    return f"hsl({hue}, 70%, 45%)"


class CollabService:
    def __init__(self, items: ItemStore, gate: ReportGate, *, compact_every: int = COMPACT_EVERY) -> None:
        self._items = items
        self._gate = gate
        self._compact_every = compact_every

    # -- access ---------------------------------------------------------------------------------
    def check(self, caller: Caller, report_id: str, *, write: bool) -> None:
        self._gate(caller, report_id, Permission.REPORT_WRITE if write else Permission.REPORT_READ)

    # -- updates --------------------------------------------------------------------------------
    def append(
        self, caller: Caller, report_id: str, client_id: str, update: bytes, update_id: str | None = None
    ) -> int:
        """Append one validated update; returns its seq. The same update id again returns the same seq.

        Without an id the update's hash is its id: a Yjs update names its client and clocks, so the
        same bytes are the same edit and applying them twice would change nothing anyway.
        """
        self.check(caller, report_id, write=True)
        update_id = update_id or hashlib.sha256(update).hexdigest()
        pk = _pk(report_id)
        id_sk = f"Y#ID#{update_id}"
        for attempt in range(_APPEND_ATTEMPTS):
            claimed = self._items.get(pk, id_sk)
            if claimed is not None:
                return int(claimed["seq"])
            head = self._items.get(pk, HEAD)
            last = int(head["seq"]) if head else 0
            seq = last + 1
            now = time.time()
            ops = [
                TransactOp(
                    "put",
                    {"pk": pk, "sk": HEAD, "seq": seq},
                    Condition.equals("seq", last) if head else Condition.not_exists(),
                ),
                TransactOp(
                    "put",
                    {
                        "pk": pk,
                        "sk": _update_sk(seq),
                        "seq": seq,
                        "update": _b64(update),
                        "client_id": client_id,
                        "user": caller.username,
                        "update_id": update_id,
                        "at": now,
                    },
                    Condition.not_exists(),
                ),
                TransactOp(
                    "put",
                    {"pk": pk, "sk": id_sk, "seq": seq, "ttl": int(now) + UPDATE_ID_TTL_S},
                    Condition.not_exists(),
                ),
            ]
            try:
                self._items.transact_write(ops)
            except ConditionFailed:
                # Another append took seq (or this id won elsewhere): read again, after a short,
                # growing, jittered pause so that busy writers spread out.
                time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))
                continue
            if seq % self._compact_every == 0:
                self.compact(report_id)
            return seq
        raise Conflict("too many concurrent edits of this report; retry the update", field="update")

    def read_since(self, caller: Caller, report_id: str, since: int) -> CollabBatch:
        self.check(caller, report_id, write=False)
        return self.batch_since(report_id, since)

    def batch_since(self, report_id: str, since: int) -> CollabBatch:
        """Updates after `since`, or the snapshot and the updates after it when compaction removed some."""
        pk = _pk(report_id)
        since = max(since, 0)
        for _ in range(5):
            items = self._updates_after(pk, since)
            if items and int(items[0]["seq"]) == since + 1 and _contiguous(items):
                return CollabBatch(int(items[-1]["seq"]), [base64.b64decode(i["update"]) for i in items])
            snapshot = self._read_snapshot(pk)
            if snapshot is None or snapshot[0] <= since:
                if not items:
                    return CollabBatch(since)
                continue  # a newer compaction is deleting what we read: read again
            snap_seq, snap_bytes = snapshot
            after = self._updates_after(pk, snap_seq)
            if after and (int(after[0]["seq"]) != snap_seq + 1 or not _contiguous(after)):
                continue
            updates = [snap_bytes, *(base64.b64decode(i["update"]) for i in after)]
            return CollabBatch(int(after[-1]["seq"]) if after else snap_seq, updates)
        raise Conflict("the report's history is being compacted; retry", field="since")

    def head(self, report_id: str) -> int:
        head = self._items.get(_pk(report_id), HEAD)
        return int(head["seq"]) if head else 0

    def _updates_after(self, pk: str, since: int) -> list[Item]:
        return list(
            self._items.query_all(pk, sk_between=(_update_sk(since + 1), _update_sk(_SEQ_MAX)), page_size=500)
        )

    # -- compaction -----------------------------------------------------------------------------
    def compact(self, report_id: str) -> int | None:
        """Merge the snapshot and the updates after it into one snapshot; returns its seq, or None when
        there was nothing to merge or a concurrent compaction won (which then covers the same updates)."""
        pk = _pk(report_id)
        current = self._items.get(pk, SNAP)
        snapshot = self._read_snapshot(pk, current)
        if current is not None and snapshot is None:
            return None  # being replaced right now
        base_seq, base = snapshot if snapshot else (0, None)
        items = self._updates_after(pk, base_seq)
        if len(items) < 2 or int(items[0]["seq"]) != base_seq + 1 or not _contiguous(items):
            return None
        target = int(items[-1]["seq"])
        updates = [base64.b64decode(i["update"]) for i in items]
        merged = pycrdt.merge_updates(*([base] if base is not None else []), *updates)
        snapshot_id = uuid.uuid4().hex
        parts = [merged[i : i + SNAPSHOT_PART_BYTES] for i in range(0, len(merged), SNAPSHOT_PART_BYTES)] or [
            b""
        ]
        for index, part in enumerate(parts):
            self._items.put(
                {"pk": pk, "sk": f"{_part_prefix(snapshot_id)}{index:04d}", "data": _b64(part)},
                condition=Condition.not_exists(),
            )
        try:
            self._items.put(
                {"pk": pk, "sk": SNAP, "seq": target, "snapshot_id": snapshot_id, "parts": len(parts)},
                condition=Condition.equals("seq", base_seq) if current else Condition.not_exists(),
            )
        except ConditionFailed:
            self._delete_parts(pk, snapshot_id)
            return None
        if current is not None:
            self._delete_parts(pk, str(current["snapshot_id"]))
        for item in items:
            self._items.delete(pk, item["sk"])
        return target

    def _read_snapshot(self, pk: str, head: Item | None = None) -> tuple[int, bytes] | None:
        head = head if head is not None else self._items.get(pk, SNAP)
        if head is None:
            return None
        prefix = _part_prefix(str(head["snapshot_id"]))
        parts = [base64.b64decode(p["data"]) for p in self._items.query_all(pk, sk_prefix=prefix)]
        if len(parts) != int(head["parts"]):
            return None  # replaced (and its parts deleted) while we read it
        return int(head["seq"]), b"".join(parts)

    def _delete_parts(self, pk: str, snapshot_id: str) -> None:
        for part in list(self._items.query_all(pk, sk_prefix=_part_prefix(snapshot_id))):
            self._items.delete(pk, part["sk"])

    # -- presence -------------------------------------------------------------------------------
    def touch_presence(
        self,
        caller: Caller,
        report_id: str,
        client_id: str,
        *,
        cursor: Any = None,
        block_id: str | None = None,
    ) -> Presence:
        """Say that `client_id` (one editor tab) is here, and where; it is gone PRESENCE_TTL_S later."""
        self.check(caller, report_id, write=False)
        if cursor is not None and len(json.dumps(cursor)) > MAX_CURSOR_BYTES:
            raise TooLarge(f"a presence cursor is at most {MAX_CURSOR_BYTES} bytes of JSON", field="cursor")
        presence = Presence(
            client_id=client_id,
            user=caller.username,
            name=caller.username,
            color=color_of(caller.username),
            at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            cursor=cursor,
            block_id=block_id,
        )
        self._items.put(
            {
                "pk": _pk(report_id),
                # Keyed by user too: one user cannot overwrite (or end) another's presence.
                "sk": f"Y#P#{caller.username}#{client_id}",
                **presence.as_json(),
                "ttl": int(time.time()) + PRESENCE_TTL_S,
            }
        )
        return presence

    def leave(self, caller: Caller, report_id: str, client_id: str) -> None:
        """The client closed the report: its presence goes at once, not after the TTL."""
        self._items.delete(_pk(report_id), f"Y#P#{caller.username}#{client_id}")

    def presence(self, report_id: str) -> list[Presence]:
        fields = Presence.__dataclass_fields__
        return [
            Presence(**{k: v for k, v in item.items() if k in fields})
            for item in self._items.query_all(_pk(report_id), sk_prefix="Y#P#")
        ]


def _contiguous(items: list[Item]) -> bool:
    seqs: Iterator[int] = (int(i["seq"]) for i in items)
    first = next(seqs, None)
    return first is None or all(s == first + n for n, s in enumerate(seqs, start=1))
