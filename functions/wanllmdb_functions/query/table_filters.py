"""The dashboard's filter language (core/filter_language.py) as a Polars expression over a logged table.

Fields are the table's column names. Semantics follow the runs table: `$eq` compares numbers with
numbers and text with text (a mismatch matches nothing), a list column matches when it holds the value,
`$contains` is a case-insensitive substring (of each item, for a list of text), and comparisons order
numbers with numbers and strings with strings only. A row without a value matches only `$exists:
false` and `$eq: null`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..core.errors import InvalidInput
from ..core.filter_language import AnyOf, Clause, FilterNode, parse_filters

__all__ = ["table_filter"]

_NUMERIC = (
    pl.Float32,
    pl.Float64,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(dtype: Any) -> str:
    if dtype in _NUMERIC:
        return "number"
    if dtype == pl.Boolean:
        return "bool"
    if dtype == pl.String:
        return "str"
    if isinstance(dtype, pl.List):
        return "list:" + _kind(dtype.inner)
    return "other"


def _fits(kind: str, value: Any) -> bool:
    """Whether a value can equal a cell of this kind (else `$eq` matches nothing, as in the runs table)."""
    if kind == "number":
        return _number(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    return False


def _eq(column: pl.Expr, kind: str, value: Any) -> pl.Expr:
    if value is None:
        return column.is_null()
    if kind.startswith("list:"):
        inner = kind.removeprefix("list:")
        return column.list.contains(pl.lit(value)).fill_null(False) if _fits(inner, value) else pl.lit(False)
    return (column == pl.lit(value)).fill_null(False) if _fits(kind, value) else pl.lit(False)


def _compare(column: pl.Expr, kind: str, op: str, value: Any) -> pl.Expr:
    if not _fits(kind, value) or kind == "bool":
        return pl.lit(False)
    if kind == "number":
        column = pl.when(column.is_nan()).then(None).otherwise(column)  # NaN is never ordered
    compared = {
        "$gt": column > value,
        "$gte": column >= value,
        "$lt": column < value,
        "$lte": column <= value,
    }
    return compared[op].fill_null(False)


def _contains(column: pl.Expr, kind: str, needle: str) -> pl.Expr:
    lowered = needle.lower()
    if kind == "str":
        return column.str.to_lowercase().str.contains(lowered, literal=True).fill_null(False)
    if kind == "list:str":
        found = column.list.eval(
            pl.element().str.to_lowercase().str.contains(lowered, literal=True)
        ).list.any()
        return found.fill_null(False)
    return pl.lit(False)


def _clause(clause: Clause, schema: pl.Schema) -> pl.Expr:
    column, kind = pl.col(clause.field), _kind(schema[clause.field])
    op, arg = clause.op, clause.arg
    if op == "$eq":
        return _eq(column, kind, arg)
    if op == "$ne":
        return ~_eq(column, kind, arg)
    if op in ("$in", "$nin"):
        any_of = pl.any_horizontal([_eq(column, kind, v) for v in arg]) if arg else pl.lit(False)
        return any_of if op == "$in" else ~any_of
    if op == "$exists":
        return column.is_not_null() if arg else column.is_null()
    if op == "$contains":
        return _contains(column, kind, arg)
    return _compare(column, kind, op, arg)


def _expr(node: FilterNode, schema: pl.Schema) -> pl.Expr:
    if isinstance(node, Clause):
        return _clause(node, schema)
    parts = [_expr(part, schema) for part in node.parts]
    if not parts:
        return pl.lit(True)
    return pl.any_horizontal(parts) if isinstance(node, AnyOf) else pl.all_horizontal(parts)


def table_filter(text: str | None, schema: pl.Schema) -> pl.Expr | None:
    """The rows `text` keeps, as an expression over a table of `schema`; None for no filter."""

    def column(name: str) -> str:
        if name not in schema:
            raise InvalidInput(
                f"filters: the table has no column {name!r}; its columns are {list(schema)}", field="filters"
            )
        return name

    node = parse_filters(text, field_name=column)
    return None if node is None else _expr(node, schema)
