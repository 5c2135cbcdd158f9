"""The compact per-run index row that the runs table lists, filters and sorts.

One row per run lives in the project's partition, so one partition query returns the whole
table. A row holds the run's list columns plus its scalar config and summary leaves, flattened
to dotted paths, within a byte budget: 10,000 rows of a few hundred bytes are a few DynamoDB
1 MB pages.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.errors import InvalidInput
from .keys import index_row_key
from .tree import flatten, is_scalar

__all__ = ["COLUMNS", "MISSING", "build_index_row", "config_leaves", "field_value", "normalise_field"]

COLUMNS = ("state", "name", "tags", "group", "job_type", "created_at")
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


def field_value(row: dict[str, Any], field: str) -> Any:
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
    for column in COLUMNS:
        if run.get(column) is not None:
            row[column] = run[column]
    if run.get("finished_at") is not None:
        row["finished_at"] = run["finished_at"]  # shown in the lake's run index; not a filter column
    if c_partial:
        row["cp"] = True  # some config leaves are too long or over budget to filter on
    if s_partial:
        row["sp"] = True
    return row
