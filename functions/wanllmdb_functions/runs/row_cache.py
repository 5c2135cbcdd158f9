"""The runs table's index rows per project, kept decoded between requests and brought up to date
with only what was written since.

A page of the runs table filters and sorts every run of the project, so each request used to read
and decode the whole partition: about 1.5 s at 30,000 runs, and a live project (its runs patching
their summaries every few seconds) changes between any two pages. The store tells which sort keys
were written since the rows were read (`ItemStore.partition_changes`, by any process), and only
those rows are read again, so kept rows are exactly what a fresh read would give. Stores that cannot
tell cheaply (DynamoDB) are read afresh every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from ..ports import Item, ItemStore

__all__ = ["MAX_CACHED_ROWS", "RowCache"]

# Rows across every project kept: a run's index row is a few hundred bytes to a few KB decoded, so
# this bounds the cache to a few hundred MB at worst.
MAX_CACHED_ROWS = 200_000


@dataclass(frozen=True)
class _Kept:
    stamp: object
    by_key: dict[str, Item]  # in sort-key order
    rows: tuple[Item, ...]  # the same rows, shared with callers, who must not change them


class RowCache:
    def __init__(self, max_rows: int = MAX_CACHED_ROWS) -> None:
        self._max_rows = max_rows
        self._entries: OrderedDict[tuple[int, str], _Kept] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()
        # Rows' sort keys per order, for as long as a row is the one kept: each listing sorts every
        # run of the project, and computing the keys was a quarter of a listing's time at 2,000
        # runs. A row read again is a new object, so its key is computed afresh; an entry holds
        # its row, so the row's id cannot stand for another object while the entry is here.
        self._sort_memos: dict[Hashable, dict[int, tuple[Item, Any]]] = {}

    def sort_memo(self, order: Hashable) -> dict[int, tuple[Item, Any]]:
        """The memo of sort keys for `order`: id(row) -> (row, key), for `filters.sort_rows`."""
        memo = self._sort_memos.get(order)
        if memo is None or len(memo) >= 2 * self._max_rows:  # replaced rows linger until then
            memo = self._sort_memos[order] = {}
        return memo

    def size(self, items: ItemStore, pk: str) -> int | None:
        """How many rows of the partition are kept (as of their last read), or None if none are."""
        with self._lock:
            kept = self._entries.get((id(items), pk))
        return None if kept is None else len(kept.rows)

    def rows(
        self,
        items: ItemStore,
        pk: str,
        read_all: Callable[[], list[Item]],
        read_one: Callable[[str], Item | None],
    ) -> Sequence[Item]:
        """The partition's rows (those ``read_all`` gives, in sort-key order): kept ones with the
        keys written since re-read by ``read_one`` (None: gone, or not a row)."""
        key = (id(items), pk)
        with self._lock:
            kept = self._entries.get(key)
        changes = items.partition_changes(pk, None if kept is None else kept.stamp)
        if changes is None:
            return read_all()
        if kept is not None and changes.written is not None:
            if not changes.written:
                with self._lock:
                    if key in self._entries:
                        self._entries.move_to_end(key)
                return kept.rows
            # A row read now may be newer than the stamp: it is listed again next time, so harmless.
            by_key, added = dict(kept.by_key), False
            for sk in changes.written:
                row = read_one(sk)
                if row is None:
                    by_key.pop(sk, None)
                else:
                    added = added or sk not in by_key
                    by_key[sk] = row
            if added:
                by_key = {sk: by_key[sk] for sk in sorted(by_key)}
        else:
            by_key = {row["sk"]: row for row in read_all()}
        fresh = _Kept(changes.stamp, by_key, tuple(by_key.values()))
        self._keep(key, fresh)
        return fresh.rows

    def _keep(self, key: tuple[int, str], fresh: _Kept) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._rows -= len(old.rows) if old else 0
            if len(fresh.rows) <= self._max_rows:
                self._entries[key] = fresh
                self._rows += len(fresh.rows)
            while self._rows > self._max_rows and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._rows -= len(evicted.rows)
