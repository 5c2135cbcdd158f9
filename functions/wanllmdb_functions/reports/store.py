"""The report store: heads, versions and their specs on the item-store port.

A save is one transaction: the head (conditional on the version it was read at), the version's
summary and its spec parts (conditional on not existing). Two saves from one base version cannot
both land, and a version once written never changes."""

from __future__ import annotations

import json
from typing import Any

from ..core.errors import ConditionFailed, NotFound
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys

__all__ = ["PART_BYTES", "ReportStore", "join_parts", "split_parts"]

# Under the 350 KB item bound (ports/item_store.py) with room for the keys; a 2 MB spec is 7 parts,
# well inside DynamoDB's 100-item, 4 MB transaction.
PART_BYTES = 300_000


def split_parts(text: str, limit: int = PART_BYTES) -> list[str]:
    """`text` cut into pieces of at most `limit` UTF-8 bytes, never inside a character."""
    data = text.encode()
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(len(data), start + limit)
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte: back off
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return parts or [""]


def join_parts(items: list[Item]) -> dict[str, Any]:
    ordered = sorted(items, key=lambda i: i["sk"])
    spec: dict[str, Any] = json.loads("".join(i["text"] for i in ordered))
    return spec


def _missing(report_id: str) -> NotFound:
    return NotFound(f"report {report_id} not found", field="report_id")


class ReportStore:
    def __init__(self, items: ItemStore) -> None:
        self.items = items

    def head(self, report_id: str) -> Item:
        item = self.items.get(*keys.meta(report_id))
        if item is None:
            raise _missing(report_id)
        return item

    def find_head(self, report_id: str) -> Item | None:
        return self.items.get(*keys.meta(report_id))

    def spec(self, report_id: str, number: int) -> dict[str, Any]:
        parts = list(self.items.query_all(keys.report_of(report_id), sk_prefix=keys.spec_prefix(number)))
        if not parts:
            raise NotFound(f"report {report_id} has no version {number}", field="version")
        return join_parts(parts)

    def version(self, report_id: str, number: int) -> Item:
        item = self.items.get(*keys.version(report_id, number))
        if item is None:
            raise NotFound(f"report {report_id} has no version {number}", field="version")
        return item

    def versions(self, report_id: str) -> list[Item]:
        return list(self.items.query_all(keys.report_of(report_id), sk_prefix=keys.VERSION_PREFIX))

    def write_version(
        self, head: Item, summary: dict[str, Any], spec: dict[str, Any], *, expected: int | None
    ) -> None:
        """Put `head` (its `version` is the new number) with the version's summary and spec, in one
        transaction: `expected` None creates the report (its head must not exist), else the stored
        head must still be at version `expected`. ConditionFailed when either does not hold."""
        report_id, number = head["id"], int(head["version"])
        text = json.dumps(spec, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        pk, sk = keys.version(report_id, number)
        ops = [
            TransactOp(
                "put",
                head,
                Condition.not_exists() if expected is None else Condition.equals("version", expected),
            ),
            TransactOp("put", {"pk": pk, "sk": sk, **summary, "version": number}, Condition.not_exists()),
        ]
        for index, part in enumerate(split_parts(text)):
            ppk, psk = keys.spec_part(report_id, number, index)
            ops.append(TransactOp("put", {"pk": ppk, "sk": psk, "text": part}, Condition.not_exists()))
        self.items.transact_write(ops)

    def put_head(self, head: Item, *, expected: int) -> None:
        """A change of the head alone (publish, visibility): conditional on its version."""
        self.items.put(head, condition=Condition.equals("version", expected))

    def delete(self, report_id: str) -> None:
        """Every item of the report's partition, the head last, so a retry finds what is left."""
        for item in list(self.items.query_all(keys.report_of(report_id), page_size=200)):
            if item["sk"] != "META":
                self.items.delete(item["pk"], item["sk"])
        try:
            self.items.delete(*keys.meta(report_id), condition=Condition.exists())
        except ConditionFailed:
            raise _missing(report_id) from None
