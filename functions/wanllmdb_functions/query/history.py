"""A run's history as wide rows (one per step, one column per key), the shape wandb's `history()` returns.

Used by the paged JSON export and by the SDK's `run.history()` / `run.scan_history()`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from ..core.errors import InvalidInput

__all__ = [
    "MAX_PAGE_ROWS",
    "MEDIA_KEYS_METADATA",
    "HistoryRows",
    "history_page",
    "sample_steps",
    "text_rows",
    "to_parquet_bytes",
    "wide_rows",
]

MAX_PAGE_ROWS = 100_000
# The Parquet key-value metadata entry that lists the columns whose cells are media descriptors (JSON).
MEDIA_KEYS_METADATA = "wanllmdb.media_keys"


@dataclass
class HistoryRows:
    """One page of wide rows; `media_keys` are the String columns that hold media descriptors as JSON."""

    frame: pl.DataFrame
    next_cursor: int | None
    media_keys: list[str]
    warnings: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, object]]:
        """The rows as dicts without empty cells, media descriptors as objects (wandb's history())."""
        media = set(self.media_keys)
        return [
            {k: json.loads(v) if k in media else v for k, v in row.items() if v is not None}
            for row in self.frame.iter_rows(named=True)
        ]


def wide_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Long rows (step, ts, key, value[, text]) to `_step`, `_timestamp` (epoch s) and one column per key.

    A key logged as strings is a String column (a number logged under it too shows as its text); the
    rest stay Float64.
    """
    if frame.height == 0:
        return pl.DataFrame(schema={"_step": pl.Int64, "_timestamp": pl.Float64})
    frame = _media_as_text(frame)
    texts = text_rows(frame)
    long = frame.select("step", "ts", pl.col("key").cast(pl.String), "value")
    if texts is not None:
        # One String cell per row of a text key: its text, or its number printed.
        text_keys = texts.get_column("key").cast(pl.String).unique().implode()
        cell = pl.coalesce(pl.col("text"), pl.col("value").cast(pl.String))
        long = frame.select(
            "step",
            "ts",
            pl.col("key").cast(pl.String),
            pl.when(pl.col("key").cast(pl.String).is_in(text_keys))
            .then(None)
            .otherwise(pl.col("value"))
            .alias("value"),
            pl.when(pl.col("key").cast(pl.String).is_in(text_keys)).then(cell).alias("text"),
        )
    values = long.pivot(on="key", index="step", values="value", aggregate_function="last", sort_columns=True)
    if texts is not None:
        strings = long.filter(pl.col("text").is_not_null()).pivot(
            on="key", index="step", values="text", aggregate_function="last", sort_columns=True
        )
        values = values.drop([c for c in strings.columns if c != "step"], strict=False)
        values = values.join(strings, on="step", how="full", coalesce=True)
    stamps = long.group_by("step").agg((pl.col("ts").max().dt.epoch("ms") / 1000).alias("_timestamp"))
    wide = values.join(stamps, on="step").rename({"step": "_step"}).sort("_step")
    keys = sorted(c for c in wide.columns if c not in ("_step", "_timestamp"))
    return wide.select("_step", "_timestamp", *keys)


def _media_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Media rows become text rows holding their descriptor's JSON, so a media key is a String column."""
    if "media" not in frame.columns:
        return frame
    if "text" not in frame.columns:
        return frame.rename({"media": "text"})
    return frame.with_columns(pl.coalesce("text", "media").alias("text")).drop("media")


def media_keys(frame: pl.DataFrame) -> list[str]:
    """The keys of `frame` (long rows) that hold media descriptors."""
    if "media" not in frame.columns:
        return []
    keys = frame.filter(pl.col("media").is_not_null()).get_column("key").cast(pl.String).unique()
    return sorted(keys.to_list())


def text_rows(frame: pl.DataFrame) -> pl.DataFrame | None:
    """The rows of string metrics, or None when there are none (the common, all-numeric frame)."""
    if "text" not in frame.columns:
        return None
    texts = frame.filter(pl.col("text").is_not_null())
    return texts if texts.height else None


def sample_steps(steps: pl.Series, samples: int) -> pl.Series:
    """At most `samples` steps, evenly spread and always including the first and the last."""
    if steps.len() <= samples:
        return steps
    if samples == 1:
        return steps.tail(1)
    n = steps.len()
    picks = sorted({round(i * (n - 1) / (samples - 1)) for i in range(samples)})
    return steps.gather(picks)


def history_page(
    frame: pl.DataFrame,
    *,
    keys: Sequence[str] | None,
    min_step: int | None,
    max_step: int | None,
    page_size: int,
    cursor: int | None,
    samples: int | None = None,
) -> HistoryRows:
    """One page of wide rows after step `cursor`; the next cursor is None on the last page."""
    if not 1 <= page_size <= MAX_PAGE_ROWS:
        raise InvalidInput(f"page_size must be 1..{MAX_PAGE_ROWS}", field="page_size")
    if samples is not None and not 1 <= samples <= MAX_PAGE_ROWS:
        raise InvalidInput(f"samples must be 1..{MAX_PAGE_ROWS}", field="samples")
    if keys:
        frame = frame.filter(pl.col("key").is_in(list(keys)))
    present = pl.col("value").is_not_null()
    for column in ("text", "media"):
        if column in frame.columns:
            present = present | pl.col(column).is_not_null()
    frame = frame.filter(present)
    if min_step is not None:
        frame = frame.filter(pl.col("step") >= min_step)
    if max_step is not None:
        frame = frame.filter(pl.col("step") <= max_step)
    if cursor is not None:
        frame = frame.filter(pl.col("step") > cursor)
    steps = frame.get_column("step").unique().sort()
    if samples is not None:
        steps = sample_steps(steps, samples)
    page = steps.head(page_size)
    next_cursor = int(page[-1]) if steps.len() > page_size else None
    frame = frame.filter(pl.col("step").is_in(page.implode()))
    return HistoryRows(wide_rows(frame), next_cursor, media_keys(frame))


def to_parquet_bytes(frame: pl.DataFrame, *, media_keys: Sequence[str] = ()) -> bytes:
    sink = io.BytesIO()
    metadata = {MEDIA_KEYS_METADATA: json.dumps(list(media_keys))} if media_keys else None
    frame.write_parquet(sink, compression="zstd", statistics=True, metadata=metadata)
    return sink.getvalue()
