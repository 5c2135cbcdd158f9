"""What the SQL item stores (SQLite, PostgreSQL) read alike: one `items` table and the partition
counter and change tables their triggers keep, with the same columns, so the same statements serve
both; only the parameter mark differs (`?` or `%s`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.values import now_epoch
from ..ports.item_store import Item, Page, PartitionChanges
from .item_codec import check_query, decode_cursor, decode_json, encode_cursor, index_keys, prefix_upper_bound

__all__ = ["BATCH_GET_KEYS", "PageQuery", "batch_get_query", "page_query", "read_partition_changes"]

# Runs one statement with its parameters and returns its rows.
Rows = Callable[[str, tuple[Any, ...]], Sequence[Sequence[Any]]]


@dataclass(frozen=True)
class PageQuery:
    sql: str
    params: list[Any]
    sk_col: str
    indexed: bool
    limit: int | None

    def page(self, bodies: Sequence[str | bytes]) -> Page:
        """The page the rows' bodies make, with a cursor when there are more."""
        items: list[Item] = [decode_json(body) for body in bodies]
        if self.limit is None or len(items) <= self.limit:
            return Page(items, None)
        items = items[: self.limit]
        last = items[-1]
        after = [last[self.sk_col]] if not self.indexed else [last[self.sk_col], last["pk"], last["sk"]]
        return Page(items, encode_cursor(after))


def page_query(
    pk: str,
    *,
    mark: str,
    index: str | None,
    sk_prefix: str | None,
    sk_between: tuple[str, str] | None,
    limit: int | None,
    cursor: str | None,
    descending: bool,
) -> PageQuery:
    """The SELECT of `ItemStore.query`, one more row than `limit` (to tell whether more follow)."""
    check_query(pk, sk_prefix, sk_between)
    pk_col, sk_col = index_keys(index) if index else ("pk", "sk")
    # Index entries may share a sort key, so the table key breaks ties for stable paging.
    order_cols = [sk_col] if index is None else [sk_col, "pk", "sk"]
    where: list[str] = [f"{pk_col} = {mark}"]
    params: list[Any] = [pk]
    if sk_prefix is not None:
        where.append(f"{sk_col} >= {mark} AND {sk_col} < {mark}")
        params += [sk_prefix, prefix_upper_bound(sk_prefix)]
    if sk_between is not None:
        where.append(f"{sk_col} BETWEEN {mark} AND {mark}")
        params += list(sk_between)
    if index is not None:
        where.append(f"{sk_col} IS NOT NULL")
    if cursor is not None:
        after = decode_cursor(cursor, len(order_cols))
        op = "<" if descending else ">"
        where.append(f"({','.join(order_cols)}) {op} ({','.join([mark] * len(order_cols))})")
        params += after
    where.append(f"(ttl IS NULL OR ttl > {mark})")
    params.append(int(now_epoch()))
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT body FROM items WHERE {' AND '.join(where)} "
        f"ORDER BY {', '.join(f'{c} {direction}' for c in order_cols)}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit) + 1}"
    return PageQuery(sql, params, sk_col, index is not None, limit)


# Keys per statement of `batch_get`: two bound values each, well under SQLite's variable limit.
BATCH_GET_KEYS = 400


def batch_get_query(keys: Sequence[tuple[str, str]], *, mark: str) -> tuple[str, list[Any]]:
    """One SELECT of the live items at up to BATCH_GET_KEYS `(pk, sk)` keys; rows are (pk, sk, body)."""
    pairs = ", ".join(f"({mark}, {mark})" for _ in keys)
    params: list[Any] = [value for key in keys for value in key]
    params.append(int(now_epoch()))
    sql = (
        f"WITH wanted (pk, sk) AS (VALUES {pairs}) "
        f"SELECT items.pk, items.sk, items.body FROM wanted "
        f"JOIN items ON items.pk = wanted.pk AND items.sk = wanted.sk "
        f"WHERE items.ttl IS NULL OR items.ttl > {mark}"
    )
    return sql, params


def read_partition_changes(
    rows: Rows, *, mark: str, store: str, pk: str, since: object | None
) -> PartitionChanges:
    """`ItemStore.partition_changes`, read inside the caller's one snapshot; `store` names the database,
    so a stamp from another one is never taken as this one's."""
    found = rows(f"SELECT version FROM partition_versions WHERE pk = {mark}", (pk,))
    version = int(found[0][0]) if found else 0
    stamp = (store, version)
    if not (isinstance(since, tuple) and since[0] == store and since[1] <= version):
        return PartitionChanges(stamp, None)
    if since[1] == version:
        return PartitionChanges(stamp, frozenset())
    oldest = rows(f"SELECT min(version) FROM partition_changes WHERE pk = {mark}", (pk,))
    if not oldest or oldest[0][0] is None or oldest[0][0] > since[1] + 1:
        return PartitionChanges(stamp, None)  # forgotten: read it all
    written = rows(
        f"SELECT DISTINCT sk FROM partition_changes WHERE pk = {mark} AND version > {mark}", (pk, since[1])
    )
    return PartitionChanges(stamp, frozenset(sk for (sk,) in written))
