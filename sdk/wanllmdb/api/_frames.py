"""Arrow tables into the caller's frame library; pandas and polars are optional imports."""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import pyarrow as pa

from wanllmdb.errors import UsageError

__all__ = ["FrameFormat", "decode_media", "media_columns", "to_frame"]

log = logging.getLogger("wanllmdb")

FrameFormat = Literal["auto", "pandas", "polars", "arrow", "records"]
# The server lists, in the Parquet metadata, the String columns whose cells are media descriptors (JSON).
MEDIA_KEYS_METADATA = b"wanllmdb.media_keys"


def media_columns(table: pa.Table) -> list[str]:
    raw = (table.schema.metadata or {}).get(MEDIA_KEYS_METADATA)
    return [k for k in json.loads(raw) if k in table.column_names] if raw else []


def decode_media(rows: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    """Media cells as dicts, the way wandb's history() shows them (`{"_type": "image-file", ...}`)."""
    for row in rows:
        for key in columns:
            if row.get(key) is not None:
                row[key] = json.loads(row[key])
    return rows


def to_frame(table: pa.Table, fmt: FrameFormat) -> Any:
    """``auto`` (the default of ``history()``): pandas when it is importable, else Polars, else the
    Arrow table itself; it never fails for want of a frame library."""
    if fmt == "auto":
        for name, make in (("pandas", _to_pandas), ("polars", _to_polars)):
            try:
                __import__(name)
                return make(table)
            except Exception as exc:  # absent, or a broken install (a pandas too old for this pyarrow)
                log.debug("wanllmdb: no %s frame (%s); trying the next library", name, exc)
        return table
    if fmt == "arrow":
        return table
    if fmt == "records":
        return decode_media(table.to_pylist(), media_columns(table))
    if fmt == "polars":
        try:
            import polars  # noqa: F401
        except ImportError:
            raise UsageError("format='polars' needs polars: pip install polars") from None
        return _to_polars(table)
    if fmt == "pandas":
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise UsageError(
                "pandas=True needs pandas: pip install pandas, or pass format='polars'"
            ) from None
        return _to_pandas(table)
    raise UsageError(f"format={fmt!r}: use auto, pandas, polars, arrow or records")


def _to_pandas(table: pa.Table) -> Any:
    frame = table.to_pandas()
    for key in media_columns(table):
        frame[key] = frame[key].map(lambda cell: None if cell is None else json.loads(cell))
    return frame


def _to_polars(table: pa.Table) -> Any:
    import polars as pl

    return pl.from_arrow(table)
