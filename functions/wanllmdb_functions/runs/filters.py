"""The runs table's query language: Mongo-style `filters`, `order` and a keyset cursor over index rows.

Rows are plain dicts (see `index_rows.field_value`); the whole project's rows are filtered and
sorted in memory, which is what makes sorting by any config or summary leaf possible without
one DynamoDB index per field (docs/data-model.md explains the trade-off).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.errors import InvalidInput
from ..core.filter_language import AnyOf, Clause, FilterNode, parse_filters
from .index_rows import MISSING, field_value, normalise_field

__all__ = ["Order", "Predicate", "compile_filters", "page_after", "parse_order"]

Row = dict[str, Any]
Predicate = Callable[[Row], bool]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(stored: Any, wanted: Any) -> bool:
    if _number(stored) and _number(wanted):
        return bool(stored == wanted)
    return type(stored) is type(wanted) and stored == wanted


def _matches_eq(stored: Any, wanted: Any) -> bool:
    if stored is MISSING:
        return wanted is None
    # Array semantics as in Mongo: a list field matches when it holds the value, or equals it.
    if isinstance(stored, list) and not isinstance(wanted, list):
        return any(_equal(item, wanted) for item in stored)
    return _equal(stored, wanted)


def _compare(stored: Any, op: str, wanted: Any) -> bool:
    if _number(stored) and _number(wanted):
        if math.isnan(stored) or math.isnan(wanted):
            return False
    elif not (isinstance(stored, str) and isinstance(wanted, str)):
        return False  # only numbers with numbers and strings with strings are ordered
    if op == "$gt":
        return bool(stored > wanted)
    if op == "$gte":
        return bool(stored >= wanted)
    if op == "$lt":
        return bool(stored < wanted)
    return bool(stored <= wanted)


def _clause(clause: Clause) -> Predicate:
    field, op, arg = clause.field, clause.op, clause.arg
    if op == "$in":
        return lambda row: any(_matches_eq(field_value(row, field), v) for v in arg)
    if op == "$nin":
        return lambda row: not any(_matches_eq(field_value(row, field), v) for v in arg)
    if op == "$exists":
        return lambda row: (field_value(row, field) is not MISSING) == arg
    if op == "$contains":
        needle = arg.casefold()
        return lambda row: _contains(field_value(row, field), needle)
    if op == "$eq":
        return lambda row: _matches_eq(field_value(row, field), arg)
    if op == "$ne":
        return lambda row: not _matches_eq(field_value(row, field), arg)
    return lambda row: _compare_value(field_value(row, field), op, arg)


def _contains(stored: Any, needle: str) -> bool:
    """Case-insensitive substring; a list (tags) matches when one of its strings does."""
    if isinstance(stored, str):
        return needle in stored.casefold()
    if isinstance(stored, list):
        return any(isinstance(item, str) and needle in item.casefold() for item in stored)
    return False


def _compare_value(stored: Any, op: str, wanted: Any) -> bool:
    if stored is MISSING:
        return False
    if isinstance(stored, list):
        return any(_compare(item, op, wanted) for item in stored)
    return _compare(stored, op, wanted)


def _predicate(node: FilterNode) -> Predicate:
    if isinstance(node, Clause):
        return _clause(node)
    parts = [_predicate(part) for part in node.parts]
    if isinstance(node, AnyOf):
        return lambda row: any(p(row) for p in parts)
    return lambda row: all(p(row) for p in parts)


def compile_filters(text: str | None) -> Predicate:
    """Parse the `filters` query parameter (core/filter_language.py); every error names `filters`."""
    node = parse_filters(text, field_name=lambda name: normalise_field(name, param="filters"))
    return (lambda row: True) if node is None else _predicate(node)


# -- order and cursor ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Order:
    field: str
    descending: bool

    @property
    def text(self) -> str:
        return f"{'-' if self.descending else ''}{self.field}"


def parse_order(text: str | None) -> Order:
    text = (text or "-created_at").strip()
    descending = text.startswith("-")
    field = normalise_field(text.lstrip("+-"), param="order")
    return Order(field, descending)


SortKey = tuple[int, int, Any, str]


def _rank(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return 3, int(value)
    if _number(value):
        return 0, value
    if isinstance(value, str):
        return 2, value
    return 4, json.dumps(value, sort_keys=True, default=str)


def sort_key(row: Row, order: Order) -> SortKey:
    value = field_value(row, order.field)
    if value is MISSING or value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0, 0, row["run_id"])  # rows without a value (or NaN) come last in both directions
    rank, comparable = _rank(value)
    return (0, rank, comparable, row["run_id"])


def _cmp(a: SortKey, b: SortKey, descending: bool) -> int:
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    sign = -1 if descending and a[0] == 0 else 1
    pairs: tuple[tuple[Any, Any], ...] = ((a[1], b[1]), (a[2], b[2]), (a[3], b[3]))
    for x, y in pairs:
        if x != y:
            return sign * (-1 if x < y else 1)
    return 0


def sort_rows(
    rows: list[Row], order: Order, *, memo: dict[int, tuple[Row, Any]] | None = None
) -> list[tuple[SortKey, Row]]:
    """Rows in `order`: native tuple sorts per value kind (numbers, strings, ...), never a Python
    comparator per pair, since this runs over every run of a project on each listing.

    `memo`: where the rows are kept between requests, so may their sort keys be
    (RowCache.sort_memo), as id(row) -> (row, key)."""
    buckets: dict[int, list[tuple[SortKey, Row]]] = {}
    for row in rows:
        hit = None if memo is None else memo.get(id(row))
        if hit is not None and hit[0] is row:
            key: SortKey = hit[1]
        else:
            key = sort_key(row, order)
            if memo is not None:
                memo[id(row)] = (row, key)
        buckets.setdefault(key[1] if key[0] == 0 else -1, []).append((key, row))
    ordered: list[tuple[SortKey, Row]] = []
    for rank in sorted((r for r in buckets if r >= 0), reverse=order.descending):
        ordered += sorted(buckets[rank], key=lambda pair: (pair[0][2], pair[0][3]), reverse=order.descending)
    return ordered + sorted(buckets.get(-1, []), key=lambda pair: pair[0][3])


def _after(keyed: Sequence[tuple[SortKey, Row]], cursor: SortKey, descending: bool) -> int:
    """Index of the first row strictly after `cursor` in the order (binary search with `_cmp`)."""
    lo, hi = 0, len(keyed)
    while lo < hi:
        mid = (lo + hi) // 2
        if _cmp(keyed[mid][0], cursor, descending) <= 0:
            lo = mid + 1
        else:
            hi = mid
    return lo


def encode_cursor(order: Order, key: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": order.text, "k": list(key)}).encode()).decode()


def _decode_cursor(cursor: str, order: Order) -> SortKey:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key = data["k"]
        ok = data["o"] == order.text and isinstance(key, list) and len(key) == 4
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise InvalidInput("cursor does not belong to this listing; start again without it", field="cursor")
    return (int(key[0]), int(key[1]), key[2], str(key[3]))


def page_after(
    keyed: Sequence[tuple[SortKey, Row]], order: Order, cursor: str | None, per_page: int
) -> tuple[list[Row], str | None]:
    """One page of sorted rows after `cursor`; keyset paging stays stable when rows come and go."""
    start = 0
    if cursor:
        start = _after(keyed, _decode_cursor(cursor, order), order.descending)
    page = keyed[start : start + per_page]
    more = start + per_page < len(keyed)
    next_cursor = encode_cursor(order, page[-1][0]) if page and more else None
    return [row for _, row in page], next_cursor
