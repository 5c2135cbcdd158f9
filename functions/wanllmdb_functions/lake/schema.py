"""The lake's row schema as Polars sees it; tests pin it to schemas/lake_schema.json.

The JSON file is the source of truth, but it sits outside the Lambda package, so the reader
carries this copy and `tests/functions/query/test_schema.py` fails when the two drift.

Schema version 2 added `text` (the value of a string metric; `value` is null on its rows), version 3
`media` (a media value's descriptor JSON, schemas/media_descriptors.json; `ref` names its object).
Files written before either lack the column: `conform_metrics` gives them an all-null one, so readers
never see the difference.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["ADDED_COLUMNS", "METRIC_COLUMNS", "METRIC_SCHEMA", "conform_metrics"]

METRIC_SCHEMA: dict[str, pl.DataType] = {
    "step": pl.Int64(),
    "ts": pl.Datetime("ms", "UTC"),
    "key": pl.Categorical(),
    "value": pl.Float64(),
    "attempt": pl.Int32(),
    "ref": pl.String(),
    "text": pl.String(),
    "media": pl.String(),
}
METRIC_COLUMNS = tuple(METRIC_SCHEMA)
# Nullable columns added after version 1: a file without one reads as if it held only nulls there.
ADDED_COLUMNS = frozenset({"text", "media"})


def conform_metrics(frame: pl.DataFrame, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Columns (all, or `columns`) in schema order and type, so frames from any writer version concatenate."""
    wanted = [c for c in METRIC_COLUMNS if columns is None or c in columns]
    missing = [c for c in wanted if c not in frame.columns and c not in ADDED_COLUMNS]
    if missing:
        raise ValueError(f"missing columns {missing}")
    return frame.select(
        pl.col(name).cast(METRIC_SCHEMA[name])
        if name in frame.columns
        else pl.lit(None, METRIC_SCHEMA[name]).alias(name)
        for name in wanted
    )
