"""ItemStore on PostgreSQL (self-hosted cluster mode): psycopg 3 with a connection pool.

Several server replicas share one database, so every read-check-write must be atomic across
processes. Each write takes a transaction-scoped advisory lock per key it touches (in key order, so
two transactions never wait on each other crosswise), then reads the row afresh, checks the
condition and writes: a missing row is locked as well as an existing one, which row locks
(`SELECT … FOR UPDATE`) cannot do. Keys are text COLLATE "C", so sort order is byte order, as in
DynamoDB and SQLite, whatever the database's locale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool

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

__all__ = ["PostgresItemStore"]

# Changes remembered per partition: a reader that last looked further back reads the partition anew.
CHANGES_KEPT = 10_000
# Deadlocks and serialization failures abort a transaction that wrote nothing; it is run again.
_RETRIES = 5
# Arbitrary constant naming the schema-setup lock, so replicas starting together create it once.
_SCHEMA_LOCK = 0x77616E6C
_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    pk TEXT COLLATE "C" NOT NULL, sk TEXT COLLATE "C" NOT NULL,
    gsi1pk TEXT COLLATE "C", gsi1sk TEXT COLLATE "C", gsi2pk TEXT COLLATE "C", gsi2sk TEXT COLLATE "C",
    ttl BIGINT, body TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
);
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
-- partition_changes, as in the SQLite adapter: a counter per partition and the sort keys written at
-- each count, kept by a trigger inside each writing transaction, so every replica's writes are seen.
-- INSERT … ON CONFLICT DO UPDATE fires the insert or the update trigger, once. The counter row is
-- locked until commit, so counts are handed out in commit order per partition.
CREATE TABLE IF NOT EXISTS partition_versions (pk TEXT COLLATE "C" PRIMARY KEY, version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS partition_changes (
    pk TEXT COLLATE "C" NOT NULL, version BIGINT NOT NULL, sk TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (pk, version)
);
CREATE OR REPLACE FUNCTION wanllmdb_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k TEXT; s TEXT; v BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN k := OLD.pk; s := OLD.sk; ELSE k := NEW.pk; s := NEW.sk; END IF;
    INSERT INTO partition_versions AS p (pk, version) VALUES (k, 1)
    ON CONFLICT (pk) DO UPDATE SET version = p.version + 1 RETURNING p.version INTO v;
    INSERT INTO partition_changes (pk, version, sk) VALUES (k, v, s);
    DELETE FROM partition_changes WHERE pk = k AND version <= v - {kept};
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER items_changed AFTER INSERT OR UPDATE OR DELETE ON items
FOR EACH ROW EXECUTE FUNCTION wanllmdb_items_changed();
""".replace("{kept}", str(CHANGES_KEPT))
_COLUMNS = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "ttl", "body")
_UPSERT = (
    f"INSERT INTO items ({','.join(_COLUMNS)}) VALUES ({','.join(['%s'] * len(_COLUMNS))}) "
    f"ON CONFLICT (pk, sk) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in _COLUMNS[2:])}"
)

T = TypeVar("T")
Conn = psycopg.Connection[tuple[Any, ...]]


class PostgresItemStore(ItemStore):
    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 16, timeout_s: float = 30.0) -> None:
        """Connects and creates the schema; raises psycopg.Error if the database is unreachable."""
        # A first plain connection, so a bad DSN or a refused connection surfaces with the server's own
        # message (a pool would only time out), and replicas starting together create the schema once.
        with psycopg.connect(dsn, connect_timeout=max(1, int(timeout_s))) as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                conn.execute(_SCHEMA)  # type: ignore[arg-type]  # constant text, no parameters
            # Stamps name the database, so a stamp from another database is never taken as ours.
            self._db = f"{conn.info.host}:{conn.info.port}/{conn.info.dbname}"
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            dsn, min_size=min_size, max_size=max_size, timeout=timeout_s, open=False
        )
        self._pool.open(wait=True, timeout=timeout_s)

    # -- transactions ----------------------------------------------------------------------------
    @contextmanager
    def _connection(self) -> Iterator[Conn]:
        with self._pool.connection() as conn:
            yield conn

    def _write(self, keys: list[tuple[str, str]], work: Callable[[Conn], T]) -> T:
        """Run `work` in one transaction holding the advisory lock of every key in `keys`."""
        for attempt in range(_RETRIES):
            try:
                with self._connection() as conn, conn.transaction():
                    for pk, sk in sorted(set(keys)):
                        conn.execute(
                            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{pk}\x1f{sk}",)
                        )
                    return work(conn)
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _current(conn: Conn, pk: str, sk: str) -> Item | None:
        row = conn.execute("SELECT body FROM items WHERE pk = %s AND sk = %s", (pk, sk)).fetchone()
        if row is None:
            return None
        item: Item = decode_json(row[0])
        return None if is_expired(item, now_epoch()) else item

    @staticmethod
    def _check(condition: Condition | None, current: Item | None) -> None:
        if condition is not None and not condition.holds_for(current):
            raise ConditionFailed(f"condition {condition.kind} failed", field=condition.attr)

    @staticmethod
    def _upsert(conn: Conn, item: Item, body: str) -> None:
        conn.execute(
            _UPSERT,
            (
                item["pk"], item["sk"],
                item.get("gsi1pk"), item.get("gsi1sk"), item.get("gsi2pk"), item.get("gsi2sk"),
                item.get("ttl"), body,
            ),
        )  # fmt: skip

    @staticmethod
    def _delete(conn: Conn, pk: str, sk: str) -> None:
        conn.execute("DELETE FROM items WHERE pk = %s AND sk = %s", (pk, sk))

    # -- port ------------------------------------------------------------------------------------
    def put(self, item: Item, *, condition: Condition | None = None) -> None:
        body = check_item(item)

        def work(conn: Conn) -> None:
            if condition is not None:
                self._check(condition, self._current(conn, item["pk"], item["sk"]))
            self._upsert(conn, item, body)

        self._write([(item["pk"], item["sk"])], work)

    def get(self, pk: str, sk: str) -> Item | None:
        with self._connection() as conn:
            return self._current(conn, pk, sk)

    def batch_get(self, keys: Sequence[tuple[str, str]]) -> list[Item | None]:
        found: dict[tuple[str, str], Item] = {}
        with self._connection() as conn:
            for start in range(0, len(keys), BATCH_GET_KEYS):
                sql, params = batch_get_query(keys[start : start + BATCH_GET_KEYS], mark="%s")
                rows = conn.execute(sql, params).fetchall()  # type: ignore[arg-type]  # built from constants
                found.update(((pk, sk), decode_json(body)) for pk, sk, body in rows)
        return [found.get((pk, sk)) for pk, sk in keys]

    def delete(self, pk: str, sk: str, *, condition: Condition | None = None) -> None:

        def work(conn: Conn) -> None:
            self._check(condition, self._current(conn, pk, sk))
            self._delete(conn, pk, sk)

        self._write([(pk, sk)], work)

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

        def work(conn: Conn) -> Item:
            current = self._current(conn, pk, sk)
            self._check(condition, current)
            item = apply_update(current, pk, sk, set_attrs, remove, add)
            self._upsert(conn, item, check_item(item))
            return item

        return self._write([(pk, sk)], work)

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
            pk, mark="%s", index=index, sk_prefix=sk_prefix, sk_between=sk_between, limit=limit,
            cursor=cursor, descending=descending,
        )  # fmt: skip
        with self._connection() as conn:
            rows = conn.execute(query.sql, query.params).fetchall()  # type: ignore[arg-type]  # built from constants
        return query.page([r[0] for r in rows])

    def partition_changes(self, pk: str, since: object | None = None) -> PartitionChanges | None:
        with self._connection() as conn:
            # One snapshot: the count and the keys written up to it agree.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with conn.transaction():
                    return read_partition_changes(
                        lambda sql, params: conn.execute(sql, params).fetchall(),  # type: ignore[arg-type]
                        mark="%s", store=self._db, pk=pk, since=since,
                    )  # fmt: skip
            finally:
                conn.isolation_level = None

    def transact_write(self, ops: list[TransactOp]) -> None:
        prepared = prepared_writes(ops)
        # Writes in key order: the triggers lock partition counters in the order rows are written,
        # so every transaction takes them in one global order and none waits on another crosswise.
        writes = sorted(
            (p for p in prepared if p[0].action != "check"), key=lambda p: (p[0].item["pk"], p[0].item["sk"])
        )

        def work(conn: Conn) -> None:
            for op, _, _ in prepared:
                self._check(op.condition, self._current(conn, op.item["pk"], op.item["sk"]))
            for op, body, increments in writes:
                pk, sk = op.item["pk"], op.item["sk"]
                if body is not None:
                    self._upsert(conn, op.item, body)
                elif op.action == "delete":
                    self._delete(conn, pk, sk)
                elif increments is not None:
                    item = apply_update(self._current(conn, pk, sk), pk, sk, None, None, increments)
                    self._upsert(conn, item, check_item(item))

        self._write([(op.item["pk"], op.item["sk"]) for op, _, _ in prepared], work)

    def truncate(self) -> None:
        """Remove every item and change record (tests reuse one database between cases)."""
        with self._connection() as conn, conn.transaction():
            conn.execute("TRUNCATE items, partition_versions, partition_changes")

    def close(self) -> None:
        self._pool.close()
