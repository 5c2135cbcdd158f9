"""Chart data for one metric: raw points, or a min/max envelope per x bucket that never hides a spike.

Pure functions on Polars frames; they know nothing of the lake or of HTTP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl

__all__ = ["MAX_BUCKETS", "Series", "envelope", "json_number", "json_values", "with_x"]

MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class Series:
    raw: bool
    columns: dict[str, list[Any]]


def json_number(value: Any) -> Any:
    """JSON has no NaN or infinities; JavaScript's Number() reads these strings back exactly."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def json_values(values: list[Any]) -> list[Any]:
    """`json_number` over a list; the common all-finite list is returned as is, checked at C speed."""
    try:
        if all(map(math.isfinite, values)):
            return values
    except TypeError:  # a None (an all-NaN bucket's mean) among the numbers
        pass
    return [json_number(v) for v in values]


def with_x(frame: pl.DataFrame, x: str) -> pl.DataFrame:
    """Add an `x` column: the step, the epoch-ms timestamp, or another metric's value at the same step.

    For a step metric (e.g. `epoch`), rows of steps where it was not logged get no x and drop out,
    as in wandb's custom x axes.
    """
    if x == "step":
        return frame.with_columns(pl.col("step").alias("x"))
    if x == "ts":
        return frame.with_columns(pl.col("ts").dt.epoch("ms").alias("x"))
    axis = (
        frame.filter(pl.col("key") == x)
        .select("step", pl.col("value").alias("x"))
        .unique(subset=["step"], keep="last")
    )
    return frame.join(axis, on="step", how="inner").filter(pl.col("x").is_not_nan())


def envelope(
    frame: pl.DataFrame, *, buckets: int, x_min: float | None = None, x_max: float | None = None
) -> Series:
    """One metric's points (columns x, value) in [x_min, x_max] as raw points or `buckets` buckets.

    Buckets split the x range of the selected points evenly; each carries the x range of its
    points (x0, x1), count, min, max, mean, first and last. NaN is counted but left out of
    min/max/mean, so one NaN does not erase a bucket's envelope.
    """
    points = frame.select("x", "value").filter(pl.col("value").is_not_null())
    if x_min is not None:
        points = points.filter(pl.col("x") >= x_min)
    if x_max is not None:
        points = points.filter(pl.col("x") <= x_max)
    if not points.get_column("x").is_sorted():  # compacted files and in-order chunks already are
        points = points.sort("x", maintain_order=True)
    if points.height <= buckets:
        return Series(True, {"x": points["x"].to_list(), "y": points["value"].to_list()})
    lo, hi = points["x"][0], points["x"][-1]
    width = (hi - lo) / buckets or 1.0
    finite = pl.col("value").fill_nan(None)
    grouped = (
        points.with_columns(
            ((pl.col("x") - lo) / width).floor().clip(0, buckets - 1).cast(pl.Int32).alias("bucket")
        )
        .group_by("bucket", maintain_order=True)
        .agg(
            pl.col("x").first().alias("x0"),
            pl.col("x").last().alias("x1"),
            pl.len().alias("count"),
            finite.min().alias("min"),
            finite.max().alias("max"),
            finite.mean().alias("mean"),
            pl.col("value").first().alias("first"),
            pl.col("value").last().alias("last"),
        )
    )
    names = ("x0", "x1", "count", "min", "max", "mean", "first", "last")
    return Series(False, {name: grouped[name].to_list() for name in names})
