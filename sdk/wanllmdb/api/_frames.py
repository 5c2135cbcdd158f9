"""Arrow tables into the caller's frame library; pandas and polars are optional imports."""

from __future__ import annotations

from typing import Any, Literal

import pyarrow as pa

from wanllmdb.errors import UsageError

__all__ = ["FrameFormat", "to_frame"]

FrameFormat = Literal["pandas", "polars", "arrow", "records"]


def to_frame(table: pa.Table, fmt: FrameFormat) -> Any:
    if fmt == "arrow":
        return table
    if fmt == "records":
        return table.to_pylist()
    if fmt == "polars":
        try:
            import polars as pl
        except ImportError:
            raise UsageError("format='polars' needs polars: pip install polars") from None
        return pl.from_arrow(table)
    if fmt == "pandas":
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise UsageError(
                "pandas=True needs pandas: pip install pandas, or pass format='polars'"
            ) from None
        return table.to_pandas()
    raise UsageError(f"format={fmt!r}: use pandas, polars, arrow or records")
