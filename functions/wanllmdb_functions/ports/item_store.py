"""ItemStore: DynamoDB single-table semantics, the one metadata port.

Items are JSON-like dicts. Every item has string keys `pk` and `sk`. Two optional secondary
indexes exist: `gsi1` over (`gsi1pk`, `gsi1sk`) and `gsi2` over (`gsi2pk`, `gsi2sk`). An
integer `ttl` attribute (epoch seconds) expires an item: adapters hide expired items on every
read, because DynamoDB deletes them only eventually.

Values may be str, int, float (NaN and inf included), bool, None, lists and dicts of these.
An item is at most `MAX_ITEM_BYTES` of JSON; larger payloads belong in the BlobStore.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

__all__ = [
    "INDEXES",
    "MAX_ITEM_BYTES",
    "Condition",
    "Item",
    "ItemStore",
    "Page",
    "PartitionChanges",
    "TransactOp",
]

Item = dict[str, Any]
KEY_ATTRS = ("pk", "sk")
INDEXES: dict[str, tuple[str, str]] = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("gsi2pk", "gsi2sk")}
INDEX_ATTRS = tuple(a for pair in INDEXES.values() for a in pair)
# DynamoDB's hard limit is 400 KB including attribute names; keep headroom for encoding.
MAX_ITEM_BYTES = 350_000


@dataclass(frozen=True)
class Condition:
    """A write precondition. Exactly one form is used at a time.

    - `Condition.not_exists()`: the item must not exist.
    - `Condition.exists()`: the item must exist.
    - `Condition.equals(attr, value)`: the item exists and `attr == value`.
    """

    kind: Literal["not_exists", "exists", "equals"]
    attr: str | None = None
    value: Any = None

    @classmethod
    def not_exists(cls) -> Condition:
        return cls("not_exists")

    @classmethod
    def exists(cls) -> Condition:
        return cls("exists")

    @classmethod
    def equals(cls, attr: str, value: Any) -> Condition:
        return cls("equals", attr, value)

    def holds_for(self, current: Item | None) -> bool:
        if self.kind == "not_exists":
            return current is None
        if self.kind == "exists":
            return current is not None
        return current is not None and self.attr in current and current[self.attr] == self.value


@dataclass(frozen=True)
class Page:
    items: list[Item]
    cursor: str | None


@dataclass(frozen=True)
class TransactOp:
    """One write in a transaction: `put` the item, `delete` / `check` the key in `item`, or `add` the
    numbers `item` holds beside its key to the stored item's, as `update(add=...)` does (a missing
    attribute, or item, starts at 0)."""

    action: Literal["put", "delete", "check", "add"]
    item: Item
    condition: Condition | None = None


@dataclass(frozen=True)
class PartitionChanges:
    """`stamp`: the partition's state now, to pass back as `since`. `written`: the sort keys
    written since `since`, or None when unknown (no `since`, or too far back): read it all."""

    stamp: object
    written: frozenset[str] | None


class ItemStore(Protocol):
    """Adapters implement the six I/O methods; `query_all` is built on `query` here, once.

    Adapters subclass this Protocol explicitly so they inherit `query_all`.
    """

    # True where a call answers from a local file in about a millisecond and a read never waits for a
    # writer (SQLite in WAL mode): the HTTP layer then makes a request's store calls on the event loop
    # rather than paying thread hand-offs for them (app/offload.py). Stores behind a network leave it
    # False.
    fast_calls: bool = False

    def put(self, item: Item, *, condition: Condition | None = None) -> None:
        """Write the whole item. Raises ConditionFailed when `condition` does not hold."""

    def get(self, pk: str, sk: str) -> Item | None: ...

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[Item | None]:
        """The items at `keys` (pk, sk), in the order asked, None where missing, each as `get`
        reads it. Here one `get` per key; the SQL stores read them all in one statement, which a
        page of the runs table (50 runs) needs."""
        return [self.get(pk, sk) for pk, sk in keys]

    def delete(self, pk: str, sk: str, *, condition: Condition | None = None) -> None:
        """Remove the item; deleting a missing item is a no-op unless a condition says otherwise."""

    def update(
        self,
        pk: str,
        sk: str,
        *,
        set_attrs: dict[str, Any] | None = None,
        remove: list[str] | None = None,
        add: dict[str, int | float] | None = None,
        condition: Condition | None = None,
    ) -> Item:
        """Atomically set, remove and add to (counter) top-level attributes; returns the new item.

        Creates the item when it does not exist, unless `condition` forbids it.
        """
        ...

    def query(
        self,
        pk: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        descending: bool = False,
    ) -> Page:
        """Items whose partition key (of the table, or of `index`) is `pk`, in sort-key order."""
        ...

    def partition_changes(self, pk: str, since: object | None = None) -> PartitionChanges | None:
        """What was written to table partition `pk` since the stamp `since` (from an earlier
        answer), by any process: put, update, delete and transactions, not expiry (ttl), so a
        caller keeps only partitions without expiring items. None where the store cannot tell
        cheaply (DynamoDB): a caller keeping the partition's items reads them afresh."""
        return None

    def query_all(
        self,
        pk: str,
        *,
        index: str | None = None,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        descending: bool = False,
        page_size: int = 100,
    ) -> Iterator[Item]:
        """Every item `query` would match, fetched `page_size` at a time as the caller iterates.

        Pages are read lazily, so a caller may delete the items it has already been given: the
        cursor is the last key seen, not an offset, and nothing is skipped.
        """
        cursor: str | None = None
        while True:
            page = self.query(
                pk,
                index=index,
                sk_prefix=sk_prefix,
                sk_between=sk_between,
                limit=page_size,
                cursor=cursor,
                descending=descending,
            )
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor

    def transact_write(self, ops: list[TransactOp]) -> None:
        """All or nothing. Raises ConditionFailed when any condition fails; nothing is written."""
