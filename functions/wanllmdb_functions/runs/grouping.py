"""Group-by for the runs table: one group per value of a field, with a count and numeric stats.

Groups are computed over the same index rows the table lists, after the same filters, so a
project of 10,000 runs is grouped in one partition read and one pass, never by the browser.
Each group carries the filter that selects its runs; the table ANDs it with its own filters to
list a group's runs when it is expanded, so what a group holds is decided in one place: here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InvalidInput
from .index_rows import MISSING, field_value, normalise_field
from .models import ColumnStats, RunGroup, RunGroups

__all__ = ["MAX_GROUPS", "MAX_STAT_COLUMNS", "NONE_LABEL", "group_rows", "parse_columns"]

Row = dict[str, Any]

MAX_GROUPS = 1000
MAX_STAT_COLUMNS = 50
NONE_LABEL = "(none)"
# Tags are the one list column whose items are groups of their own: a run tagged [a, b] counts in
# both. A list in a config (layers: [64, 64]) is one value, as in the filters.
_EXPLODED = {"tags"}


def parse_columns(text: str | None) -> list[str] | None:
    """`summary.loss,config.lr` → normalised fields; None when not given (every numeric summary leaf)."""
    if text is None or not text.strip():
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    fields = list(dict.fromkeys(normalise_field(p, param="columns") for p in parts))
    if len(fields) > MAX_STAT_COLUMNS:
        raise InvalidInput(f"columns: at most {MAX_STAT_COLUMNS} fields", field="columns")
    return fields


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _key(value: Any) -> tuple[int, Any]:
    """A sortable identity: 1 and 1.0 are one group (the filters call them equal), True is not 1."""
    if isinstance(value, bool):
        return 2, int(value)
    number = _number(value)
    if number is not None:
        return 0, number
    if isinstance(value, str):
        return 1, value
    return 3, json.dumps(value, sort_keys=True, default=str)


def _values(row: Row, by: str) -> Iterable[Any]:
    """The group values of a row; no value (missing, null, NaN, no tags) is the (none) group."""
    value = field_value(row, by)
    if by in _EXPLODED and isinstance(value, list):
        return list(dict.fromkeys(value)) or [None]
    if value is MISSING or value is None or (isinstance(value, float) and math.isnan(value)):
        return [None]
    return [value]


@dataclass
class _Stat:
    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)

    def model(self) -> ColumnStats:
        return ColumnStats(count=self.count, mean=self.total / self.count, min=self.low, max=self.high)


@dataclass
class _Group:
    value: Any
    count: int = 0
    stats: dict[str, _Stat] = field(default_factory=dict)


def _filter(by: str, value: Any) -> dict[str, Any]:
    if value is not None:
        return {by: value}  # an equality; on tags, membership
    if by in _EXPLODED:
        return {"$or": [{by: {"$exists": False}}, {by: []}]}
    return {by: None}  # matches a missing field and a stored null alike


def _label(value: Any) -> str:
    if value is None:
        return NONE_LABEL
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _default_columns(rows: list[Row]) -> list[str]:
    """Every numeric summary leaf the rows hold, wandb's private `_` ones left out."""
    paths = {p for row in rows for p, v in row.get("s", {}).items() if _number(v) is not None}
    return [f"summary.{p}" for p in sorted(paths) if not p.startswith("_")][:MAX_STAT_COLUMNS]


def group_rows(rows: list[Row], by_text: str, columns: list[str] | None) -> RunGroups:
    """The groups of `rows` by the field `by_text`, ordered by value ((none) last)."""
    by = normalise_field(by_text, param="by")
    stat_fields = columns if columns is not None else _default_columns(rows)
    groups: dict[tuple[int, Any] | None, _Group] = {}
    for row in rows:
        numbers = [(f, _number(field_value(row, f))) for f in stat_fields]
        for value in _values(row, by):
            group = groups.setdefault(None if value is None else _key(value), _Group(value))
            group.count += 1
            for name, number in numbers:
                if number is not None:
                    group.stats.setdefault(name, _Stat()).add(number)
    # Keys of one rank hold values of one kind, so the tuples compare without a key function.
    keys: list[tuple[int, Any] | None] = [*sorted(k for k in groups if k is not None)]
    if None in groups:
        keys.append(None)
    out = [
        RunGroup(
            value=groups[k].value,
            label=_label(groups[k].value),
            count=groups[k].count,
            filter=_filter(by, groups[k].value),
            stats={name: stat.model() for name, stat in groups[k].stats.items()},
        )
        for k in keys[:MAX_GROUPS]
    ]
    truncated = len(keys) > MAX_GROUPS
    return RunGroups(by=by, total=len(rows), columns=stat_fields, groups=out, truncated=truncated)
