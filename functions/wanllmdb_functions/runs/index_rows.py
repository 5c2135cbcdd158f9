"""The compact per-run index row that the runs table lists, filters and sorts.

One row per run lives in the project's partition, so one partition query returns the whole
table. A row holds the run's list columns plus its scalar config and summary leaves, flattened
to dotted paths, within a byte budget: 10,000 rows of a few hundred bytes are a few DynamoDB
1 MB pages.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..core.errors import InvalidInput
from .keys import index_row_key
from .tree import flatten, is_scalar

__all__ = [
    "COLUMNS",
    "MISSING",
    "NOTES_PREFIX_CHARS",
    "build_index_row",
    "config_leaves",
    "field_value",
    "normalise_field",
]

# Stored on the row as the run item has them (`host` comes from the run's metadata, `notes` is
# cut to its first NOTES_PREFIX_CHARS: the row budget is for hyperparameters, not prose).
STORED = (
    *("state", "name", "tags", "group", "job_type", "created_at"),
    *("created_by", "host", "notes", "finished_at", "sweep_id"),
)
# Derived from stored fields when read, so rows written before these columns existed have them too.
DERIVED = ("duration", "runtime")
COLUMNS = STORED + DERIVED
NOTES_PREFIX_CHARS = 120
_ROOTS = {"config": "c", "summary": "s", "summary_metrics": "s"}
# Leaves longer than this are not filterable: they are descriptions, not hyperparameters.
MAX_LEAF_CHARS = 256
# Per-row budget for config and summary leaves together; keeps 10k rows within ~120 MB at worst
# and a few MB typically. Config may take at most CONFIG_BUDGET_BYTES, so summary keeps room.
LEAF_BUDGET_BYTES = 12_000
CONFIG_BUDGET_BYTES = 8_000


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def normalise_field(text: str, *, param: str) -> str:
    """`summary_metrics.x` → `summary.x`; refuse anything the runs table cannot filter or sort by."""
    if text in COLUMNS:
        return text
    root, _, path = text.partition(".")
    if root in _ROOTS and path:
        return f"{'config' if root == 'config' else 'summary'}.{path}"
    allowed = ", ".join([*COLUMNS, "config.<path>", "summary.<path>"])
    raise InvalidInput(f"{param}: unknown field {text!r}; use one of {allowed}", field=param)


def _seconds_between(start: Any, end: Any) -> Any:
    if not (isinstance(start, str) and isinstance(end, str)):
        return MISSING
    try:
        delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    except ValueError:
        return MISSING
    return round(delta.total_seconds(), 3)


def field_value(row: dict[str, Any], field: str) -> Any:
    if field == "duration":  # wall time from create to finish; none while the run is running
        return _seconds_between(row.get("created_at"), row.get("finished_at"))
    if field == "runtime":  # the script's own clock (wandb's summary `_runtime`) when it kept one
        runtime = row.get("s", {}).get("_runtime", MISSING)
        if isinstance(runtime, int | float) and not isinstance(runtime, bool):
            return runtime
        return field_value(row, "duration")
    if field in COLUMNS:
        return row.get(field, MISSING)
    root, _, path = field.partition(".")
    return row.get(_ROOTS[root], {}).get(path, MISSING)


def _indexable(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_LEAF_CHARS
    if isinstance(value, list):
        return len(value) <= 32 and all(
            (is_scalar(v) and not isinstance(v, str)) or (isinstance(v, str) and len(v) <= 64) for v in value
        )
    return is_scalar(value)


def _leaves(tree: dict[str, Any], budget: int) -> tuple[dict[str, Any], int, bool]:
    kept: dict[str, Any] = {}
    dropped = False
    for path, value in sorted(flatten(tree).items()):
        if not _indexable(value):
            dropped = True
            continue
        cost = len(path) + len(json.dumps(value, allow_nan=True, default=str)) + 4
        if cost > budget:
            dropped = True
            continue
        kept[path] = value
        budget -= cost
    return kept, budget, dropped


def config_leaves(config: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The filterable leaves of a config, and whether some were left out."""
    leaves, _, dropped = _leaves(config, CONFIG_BUDGET_BYTES)
    return leaves, dropped


def build_index_row(run: dict[str, Any], c: dict[str, Any], *, c_partial: bool = False) -> dict[str, Any]:
    """The index row of a run item, given its config leaves (large configs live in the BlobStore)."""
    pk, sk = index_row_key(run["project_id"], run["id"])
    used = sum(len(p) + len(json.dumps(v, allow_nan=True, default=str)) + 4 for p, v in c.items())
    s, _, s_partial = _leaves(run.get("summary") or {}, max(0, LEAF_BUDGET_BYTES - used))
    row: dict[str, Any] = {"pk": pk, "sk": sk, "run_id": run["id"], "c": c, "s": s}
    values = {**run, "host": (run.get("metadata") or {}).get("host")}
    for column in STORED:
        if values.get(column) is not None:
            row[column] = values[column]
    if isinstance(row.get("notes"), str):
        row["notes"] = row["notes"][:NOTES_PREFIX_CHARS]
    if c_partial:
        row["cp"] = True  # some config leaves are too long or over budget to filter on
    if s_partial:
        row["sp"] = True
    return row
