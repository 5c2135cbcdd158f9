"""The runs table's row cache: kept rows are exactly what a fresh read gives, whoever wrote."""

from __future__ import annotations

from pathlib import Path

from wanllmdb_functions.adapters import sqlite_items
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.ports import Item, PartitionChanges
from wanllmdb_functions.runs.row_cache import RowCache


class Reads:
    def __init__(self, items: SqliteItemStore, pk: str) -> None:
        self.items, self.pk, self.all, self.one = items, pk, 0, list[str]()

    def rows(self, cache: RowCache) -> tuple[Item, ...]:
        return tuple(cache.rows(self.items, self.pk, self.read_all, self.read_one))

    def read_all(self) -> list[Item]:
        self.all += 1
        return self.items.query(self.pk).items

    def read_one(self, sk: str) -> Item | None:
        self.one.append(sk)
        return self.items.get(self.pk, sk)


def test_kept_rows_take_in_only_what_was_written_since_by_any_writer(tmp_path: Path) -> None:
    items = SqliteItemStore(tmp_path / "items.db")
    for sk in ("r1", "r3"):
        items.put({"pk": "rows", "sk": sk, "loss": 1.0})
    cache, reads = RowCache(), Reads(items, "rows")
    first = reads.rows(cache)
    assert reads.rows(cache) == first and (reads.all, reads.one) == (1, [])
    items.put({"pk": "other", "sk": "x"})  # another partition changes nothing here
    assert reads.rows(cache) == first and reads.one == []
    # a writer with its own connection, as another process would be
    other = SqliteItemStore(tmp_path / "items.db")
    other.update("rows", "r1", set_attrs={"loss": 0.5})
    other.put({"pk": "rows", "sk": "r2", "loss": 2.0})
    other.delete("rows", "r3")
    assert reads.rows(cache) == tuple(items.query("rows").items)
    assert [r["sk"] for r in reads.rows(cache)] == ["r1", "r2"]  # sort-key order, as a read gives
    assert reads.all == 1 and sorted(reads.one) == ["r1", "r2", "r3"]


def test_forgotten_changes_and_stores_that_cannot_tell_are_read_afresh(tmp_path: Path) -> None:
    items = SqliteItemStore(tmp_path / "items.db")
    items.put({"pk": "rows", "sk": "r1"})
    cache, reads = RowCache(), Reads(items, "rows")
    reads.rows(cache)
    # more writes than the store remembers: the rows are read again in full
    for i in range(sqlite_items.CHANGES_KEPT + 5):
        items.update("rows", "r1", set_attrs={"n": i})
    assert reads.rows(cache)[0]["n"] == sqlite_items.CHANGES_KEPT + 4
    assert reads.all == 2 and reads.one == []

    class Unstamped(SqliteItemStore):
        def partition_changes(self, pk: str, since: object | None = None) -> PartitionChanges | None:
            return None

    plain = Reads(Unstamped(tmp_path / "plain.db"), "rows")
    plain.rows(cache)
    plain.rows(cache)
    assert plain.all == 2


def test_the_bound_evicts_the_least_recently_used_project(tmp_path: Path) -> None:
    items = SqliteItemStore(tmp_path / "items.db")
    for pk in ("a", "b"):
        for i in range(2):
            items.put({"pk": pk, "sk": str(i)})
    cache = RowCache(max_rows=3)
    a, b = Reads(items, "a"), Reads(items, "b")
    a.rows(cache)
    b.rows(cache)  # 4 rows > 3: "a" goes
    b.rows(cache)
    a.rows(cache)
    assert (a.all, b.all) == (2, 1)


def test_kept_sort_keys_follow_a_row_that_changed(tmp_path: Path) -> None:
    """Each listing sorts every run: kept rows keep their sort keys, and a row written since is a
    new object whose key is computed again, so the order is what a fresh sort gives."""
    from wanllmdb_functions.runs.filters import parse_order, sort_rows
    from wanllmdb_functions.runs.index_rows import MISSING

    items = SqliteItemStore(tmp_path / "items.db")
    for sk, loss in (("r1", 1.0), ("r2", 2.0), ("r3", 3.0)):
        items.put({"pk": "rows", "sk": sk, "run_id": sk, "s": {"loss": loss}})
    cache, reads = RowCache(), Reads(items, "rows")
    order = parse_order("-summary.loss")
    memo = cache.sort_memo(order)

    def ranked() -> list[str]:
        return [row["run_id"] for _, row in sort_rows(list(reads.rows(cache)), order, memo=memo)]

    assert ranked() == ["r3", "r2", "r1"]
    assert len(memo) == 3
    items.update("rows", "r1", set_attrs={"s": {"loss": 9.0}})
    assert ranked() == ["r1", "r3", "r2"]
    unsorted = [row for row in reads.rows(cache) if row.get("s", MISSING) is not MISSING]
    assert ranked() == [row["run_id"] for _, row in sort_rows(unsorted, order)]  # as without a memo
