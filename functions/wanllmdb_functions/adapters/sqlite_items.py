"""ItemStore on SQLite (embedded mode): WAL, one connection per thread, IMMEDIATE write transactions.

Safe under uvicorn's worker threads and under several processes opening the same file: every
read-check-write runs inside `BEGIN IMMEDIATE`, which SQLite serialises across processes.
Concurrent writers of one process share commits (group commit, see `_write`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..core.errors import ConditionFailed
from ..core.values import now_epoch
from ..ports.item_store import Condition, Item, ItemStore, Page, PartitionChanges, TransactOp
from .item_codec import (
    apply_update,
    check_item,
    decode_json,
    is_expired,
    prepared_writes,
)
from .sql_pages import BATCH_GET_KEYS, batch_get_query, page_query, read_partition_changes

__all__ = ["SqliteItemStore"]

# Changes remembered per partition: a reader that last looked further back reads the partition anew.
CHANGES_KEPT = 10_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL, sk TEXT NOT NULL,
    gsi1pk TEXT, gsi1sk TEXT, gsi2pk TEXT, gsi2sk TEXT,
    ttl INTEGER, body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
-- partition_changes: a counter per partition and the sort keys written at each count, kept by
-- triggers inside each writing transaction, so every writer (another process on the same file
-- included) is seen and no write costs a commit more. INSERT OR REPLACE fires the insert trigger
-- (its implicit delete fires none). The last CHANGES_KEPT changes of each partition are kept.
CREATE TABLE IF NOT EXISTS partition_versions (pk TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS partition_changes (
    pk TEXT NOT NULL, version INTEGER NOT NULL, sk TEXT NOT NULL, PRIMARY KEY (pk, version)
) WITHOUT ROWID;
DROP TRIGGER IF EXISTS items_written;
DROP TRIGGER IF EXISTS items_deleted;
CREATE TRIGGER IF NOT EXISTS items_changed AFTER INSERT ON items BEGIN
    INSERT INTO partition_versions (pk, version) VALUES (NEW.pk, 1)
    ON CONFLICT (pk) DO UPDATE SET version = version + 1;
    INSERT INTO partition_changes (pk, version, sk)
    SELECT NEW.pk, version, NEW.sk FROM partition_versions WHERE pk = NEW.pk;
    DELETE FROM partition_changes WHERE pk = NEW.pk
    AND version <= (SELECT version FROM partition_versions WHERE pk = NEW.pk) - {kept};
END;
CREATE TRIGGER IF NOT EXISTS items_removed AFTER DELETE ON items BEGIN
    INSERT INTO partition_versions (pk, version) VALUES (OLD.pk, 1)
    ON CONFLICT (pk) DO UPDATE SET version = version + 1;
    INSERT INTO partition_changes (pk, version, sk)
    SELECT OLD.pk, version, OLD.sk FROM partition_versions WHERE pk = OLD.pk;
    DELETE FROM partition_changes WHERE pk = OLD.pk
    AND version <= (SELECT version FROM partition_versions WHERE pk = OLD.pk) - {kept};
END;
"""
_SCHEMA = _SCHEMA.replace("{kept}", str(CHANGES_KEPT))
_COLUMNS = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "ttl", "body")

T = TypeVar("T")


class _QueuedWrite(Generic[T]):
    """One caller's read-check-write, run by whichever thread commits the group it landed in."""

    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[sqlite3.Connection], T]) -> None:
        self.work = work
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = False


class SqliteItemStore(ItemStore):
    fast_calls = True  # WAL: a reader never waits for the writer; the file is local, a commit is one fsync

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self._path = path
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        # Writers of this process queue here, in order, instead of in SQLite's busy handler, which
        # sleeps up to 100 ms between retries and turns 50 concurrent writers into second-long waits.
        # Other processes still serialise through BEGIN IMMEDIATE and the busy timeout.
        self._write_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_QueuedWrite[Any]] = []
        self.commits = 0  # write transactions committed by this process (observability, tests)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    # -- connections -------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=self._busy_timeout_s, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL so a committed write survives power loss too, not only a killed process.
            conn.execute("PRAGMA synchronous=FULL")
            self._local.conn = conn
        return conn

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` (reads, condition checks, writes) in a write transaction; return once committed.

        Group commit: a writer that finds another committing queues its work, and the next thread
        to hold the writer runs everything queued in one transaction, each piece under its own
        SAVEPOINT (a failed condition rolls back only its own writes) and in arrival order, so each
        sees the ones before it exactly as if they had committed one by one. With
        synchronous=FULL the fsync of COMMIT dominates a write, so 50 concurrent writers pay for a
        few fsyncs instead of 50. No caller returns before the COMMIT that holds its writes.
        """
        queued = _QueuedWrite(work)
        with self._queue_lock:
            self._queue.append(queued)
        with self._write_lock:
            if not queued.done:
                self._commit_queued()
        if queued.error is not None:
            raise queued.error
        return queued.result  # type: ignore[return-value]

    def _commit_queued(self) -> None:
        with self._queue_lock:
            group, self._queue = self._queue, []
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for queued in group:
                conn.execute("SAVEPOINT queued_write")
                try:
                    queued.result = queued.work(conn)
                except BaseException as exc:
                    queued.error = exc
                    conn.execute("ROLLBACK TO queued_write")
                conn.execute("RELEASE queued_write")
            conn.execute("COMMIT")
            self.commits += 1
        except BaseException as exc:  # BEGIN or COMMIT failed (busy, disk full): nothing was written
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for queued in group:
                queued.result, queued.error = None, queued.error or exc
        finally:
            for queued in group:
                queued.done = True

    # -- row helpers ---------------------------------------------------------------------------
    @staticmethod
    def _row(item: Item, body: str) -> tuple[Any, ...]:
        return (
            item["pk"], item["sk"],
            item.get("gsi1pk"), item.get("gsi1sk"), item.get("gsi2pk"), item.get("gsi2sk"),
            item.get("ttl"), body,
        )  # fmt: skip

    def _current(self, conn: sqlite3.Connection, pk: str, sk: str) -> Item | None:
        row = conn.execute("SELECT body FROM items WHERE pk=? AND sk=?", (pk, sk)).fetchone()
        if row is None:
            return None
        item: Item = decode_json(row[0])
        return None if is_expired(item, now_epoch()) else item

    @staticmethod
    def _check(condition: Condition | None, current: Item | None) -> None:
        if condition is not None and not condition.holds_for(current):
            raise ConditionFailed(f"condition {condition.kind} failed", field=condition.attr)

    def _upsert(self, conn: sqlite3.Connection, item: Item, body: str) -> None:
        conn.execute(
            f"INSERT OR REPLACE INTO items ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})",
            self._row(item, body),
        )

    # -- port ----------------------------------------------------------------------------------
    def put(self, item: Item, *, condition: Condition | None = None) -> None:
        body = check_item(item)

        def work(conn: sqlite3.Connection) -> None:
            if condition is not None:  # the read is the condition's: an unconditional put needs none
                self._check(condition, self._current(conn, item["pk"], item["sk"]))
            self._upsert(conn, item, body)

        self._write(work)

    def get(self, pk: str, sk: str) -> Item | None:
        return self._current(self._conn(), pk, sk)

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[Item | None]:
        found: dict[tuple[str, str], Item] = {}
        conn = self._conn()
        for start in range(0, len(keys), BATCH_GET_KEYS):
            sql, params = batch_get_query(keys[start : start + BATCH_GET_KEYS], mark="?")
            found.update(((pk, sk), decode_json(body)) for pk, sk, body in conn.execute(sql, params))
        return [found.get((pk, sk)) for pk, sk in keys]

    def delete(self, pk: str, sk: str, *, condition: Condition | None = None) -> None:

        def work(conn: sqlite3.Connection) -> None:
            if condition is not None:
                self._check(condition, self._current(conn, pk, sk))
            conn.execute("DELETE FROM items WHERE pk=? AND sk=?", (pk, sk))

        self._write(work)

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

        def work(conn: sqlite3.Connection) -> Item:
            current = self._current(conn, pk, sk)
            self._check(condition, current)
            item = apply_update(current, pk, sk, set_attrs, remove, add)
            self._upsert(conn, item, check_item(item))
            return item

        return self._write(work)

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
        query = page_query(
            pk, mark="?", index=index, sk_prefix=sk_prefix, sk_between=sk_between, limit=limit,
            cursor=cursor, descending=descending,
        )  # fmt: skip
        rows = self._conn().execute(query.sql, query.params).fetchall()
        return query.page([r[0] for r in rows])

    def partition_changes(self, pk: str, since: object | None = None) -> PartitionChanges | None:
        conn = self._conn()
        # One read transaction: the count and the keys written up to it come from one snapshot.
        conn.execute("BEGIN")
        try:
            return read_partition_changes(
                lambda sql, params: conn.execute(sql, params).fetchall(),
                mark="?", store=str(self._path), pk=pk, since=since,
            )  # fmt: skip
        finally:
            conn.execute("COMMIT")

    def transact_write(self, ops: list[TransactOp]) -> None:
        prepared = prepared_writes(ops)

        def work(conn: sqlite3.Connection) -> None:
            for op, _, _ in prepared:
                if op.condition is not None:
                    self._check(op.condition, self._current(conn, op.item["pk"], op.item["sk"]))
            for op, body, increments in prepared:
                pk, sk = op.item["pk"], op.item["sk"]
                if body is not None:
                    self._upsert(conn, op.item, body)
                elif op.action == "delete":
                    conn.execute("DELETE FROM items WHERE pk=? AND sk=?", (pk, sk))
                elif increments is not None:
                    item = apply_update(self._current(conn, pk, sk), pk, sk, None, None, increments)
                    self._upsert(conn, item, check_item(item))

        self._write(work)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
