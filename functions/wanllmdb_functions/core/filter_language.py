"""The dashboard's filter language, parsed once into a tree that each back end compiles its own way.

Mongo-style JSON: `{"config.lr": {"$lt": 0.01}, "$or": [{"tags": "best"}, {"state": "crashed"}]}`.
A field's value is either a scalar (`$eq`) or an object of `$`-operators; `$and`/`$or` take non-empty
lists. The runs table compiles the tree into a row predicate (runs/filters.py), the table viewer into
a Polars expression (query/table_filters.py), so both read the same text the same way. Every error
names the parameter (`filters`) and says what is accepted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput

__all__ = [
    "COMPARISONS",
    "MAX_CONTAINS_CHARS",
    "OPERATORS",
    "AllOf",
    "AnyOf",
    "Clause",
    "FilterNode",
    "parse_filters",
]

MAX_FILTER_CHARS = 10_000
MAX_DEPTH = 8
MAX_CONTAINS_CHARS = 256
COMPARISONS = frozenset({"$gt", "$gte", "$lt", "$lte"})
OPERATORS = frozenset({"$eq", "$ne", "$in", "$nin", "$exists", "$contains", *COMPARISONS})


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # one of OPERATORS
    arg: Any  # checked for the operator: a list for $in/$nin, a bool for $exists, text for $contains


@dataclass(frozen=True)
class AllOf:
    parts: tuple[FilterNode, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[FilterNode, ...]


FilterNode = Clause | AllOf | AnyOf


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Parser:
    def __init__(self, field_name: Callable[[str], str], param: str) -> None:
        self.field_name = field_name
        self.param = param

    def bad(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.param}: {message}", field=self.param)

    def operator(self, field: str, op: str, arg: Any) -> Clause:
        if op not in OPERATORS:
            raise self.bad(f"unknown operator {op!r} on {field!r}; use one of {sorted(OPERATORS)}")
        if op in ("$in", "$nin") and not isinstance(arg, list):
            raise self.bad(f"{op} on {field!r} needs a list")
        if op == "$exists" and not isinstance(arg, bool):
            raise self.bad(f"$exists on {field!r} needs true or false")
        if op == "$contains" and (not isinstance(arg, str) or not arg or len(arg) > MAX_CONTAINS_CHARS):
            raise self.bad(f"$contains on {field!r} needs 1..{MAX_CONTAINS_CHARS} characters of text")
        if op in ("$eq", "$ne", *COMPARISONS) and isinstance(arg, dict):
            raise self.bad(f"{op} on {field!r} needs a scalar or list, not an object")
        if op in COMPARISONS and not (_number(arg) or isinstance(arg, str)):
            raise self.bad(f"{op} on {field!r} needs a number or a string")
        return Clause(field, op, arg)

    def field_clauses(self, field: str, spec: Any) -> list[FilterNode]:
        if isinstance(spec, dict) and spec and all(isinstance(k, str) and k.startswith("$") for k in spec):
            return [self.operator(field, op, arg) for op, arg in spec.items()]
        if isinstance(spec, dict):
            raise self.bad(f"{field!r} takes a value or an object of $-operators")
        return [Clause(field, "$eq", spec)]

    def node(self, value: Any, depth: int) -> FilterNode:
        if depth > MAX_DEPTH:
            raise self.bad(f"nested deeper than {MAX_DEPTH} levels")
        if not isinstance(value, dict):
            raise self.bad('must be a JSON object such as {"config.lr": {"$lt": 0.01}}')
        clauses: list[FilterNode] = []
        for key, spec in value.items():
            if key in ("$and", "$or"):
                if not isinstance(spec, list) or not spec:
                    raise self.bad(f"{key} needs a non-empty list of filters")
                parts = tuple(self.node(part, depth + 1) for part in spec)
                clauses.append(AllOf(parts) if key == "$and" else AnyOf(parts))
            elif key.startswith("$"):
                raise self.bad(f"unknown top-level operator {key!r}; use $and or $or")
            else:
                clauses.extend(self.field_clauses(self.field_name(key), spec))
        return AllOf(tuple(clauses))


def parse_filters(
    text: str | None, *, field_name: Callable[[str], str], param: str = "filters"
) -> FilterNode | None:
    """The tree of `text`, None for no filter. `field_name` checks and normalises each field (raising
    InvalidInput naming `param` for one the caller does not know)."""
    if not text:
        return None
    parser = _Parser(field_name, param)
    if len(text) > MAX_FILTER_CHARS:
        raise parser.bad(f"at most {MAX_FILTER_CHARS} characters")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise parser.bad(f"not valid JSON ({exc.msg} at position {exc.pos})") from None
    except (ValueError, RecursionError):
        raise parser.bad(f"not valid JSON, or nested deeper than {MAX_DEPTH} levels") from None
    return parser.node(value, 0)
