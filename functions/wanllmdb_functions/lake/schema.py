"""The lake's row schema as Polars sees it; tests pin it to schemas/lake_schema.json.

The JSON file is the source of truth, but it sits outside the Lambda package, so the reader
carries this copy and `tests/functions/query/test_schema.py` fails when the two drift.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["METRIC_COLUMNS", "METRIC_SCHEMA", "conform_metrics"]

METRIC_SCHEMA: dict[str, pl.DataType] = {
    "step": pl.Int64(),
    "ts": pl.Datetime("ms", "UTC"),
    "key": pl.Categorical(),
    "value": pl.Float64(),
    "attempt": pl.Int32(),
    "ref": pl.String(),
}
METRIC_COLUMNS = tuple(METRIC_SCHEMA)


def conform_metrics(frame: pl.DataFrame, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """Columns (all, or `columns`) in schema order and type, so frames from any writer version concatenate."""
    wanted = [c for c in METRIC_COLUMNS if columns is None or c in columns]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns {missing}")
    return frame.select(pl.col(name).cast(METRIC_SCHEMA[name]) for name in wanted)
