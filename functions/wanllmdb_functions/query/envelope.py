"""Chart data for one metric: raw points, or a min/max envelope per x bucket that never hides a spike.

Pure functions on Polars frames; they know nothing of the lake or of HTTP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ..lake.blocks import Blocks, group_starts, rollup_levels
from ..lake.lod import LEVELS, finest_level_dividing

__all__ = [
    "MAX_BUCKETS",
    "Series",
    "aligned_buckets",
    "bucket_series",
    "bucket_width",
    "chart_levels",
    "envelope",
    "json_number",
    "json_values",
    "with_x",
]

MAX_BUCKETS = 10_000
_WIDTH_TRIES = 1_000


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


def bucket_width(lo: int, hi: int, buckets: int) -> int:
    """The narrowest round width whose aligned buckets [k*w, (k+1)*w) hold steps lo..hi in at most `buckets`.

    Round: 1..99, then two significant digits (100, 110, ..., 990, 1000, 1100, ...), at most 10% wider
    than the narrowest. Any width from 100 up is then a multiple of a pyramid level (lake/lod.py), so
    the pyramid's buckets tile the chart's exactly.
    """
    width = _round_up(max(1, -(-(hi - lo + 1) // buckets)))
    for _ in range(_WIDTH_TRIES):
        if hi // width - lo // width < buckets:
            return width
        width = _round_up(width + 1)
    return width  # only when lo < 0 <= hi and buckets is 1: the last bucket is clipped, as before


def _round_up(n: int) -> int:
    if n < 100:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return -(-n // scale) * scale


def chart_levels(width: int, *, above: int = 1) -> list[int]:
    """The pyramid levels a bucket of `width` steps sums through, finer ones first, from above `above`."""
    top = finest_level_dividing(width)
    return [level for level in LEVELS if top is not None and above < level <= top]


def aligned_buckets(blocks: Blocks, buckets: int, *, level: int = 1) -> Series:
    """Points (level 1) or pyramid blocks of `level` steps, in step order, as step-aligned buckets."""
    lo, hi = int(blocks.x0[0]), int(blocks.x1[-1])
    width = bucket_width(lo, hi, buckets)
    blocks = rollup_levels(blocks, chart_levels(width, above=level))
    ids = np.clip(blocks.x0 // width - lo // width, 0, buckets - 1)
    return bucket_series(blocks.merge(group_starts(ids)))


def bucket_series(blocks: Blocks) -> Series:
    def nan_none(values: list[float]) -> list[float | None]:
        return [None if v != v else v for v in values]

    columns: dict[str, list[Any]] = {
        "x0": blocks.x0.tolist(),
        "x1": blocks.x1.tolist(),
        "count": blocks.count.tolist(),
        "min": nan_none(blocks.min.tolist()),
        "max": nan_none(blocks.max.tolist()),
        "mean": blocks.mean(),
        "first": blocks.first.tolist(),
        "last": blocks.last.tolist(),
    }
    return Series(False, columns)


def envelope(
    frame: pl.DataFrame, *, buckets: int, x_min: float | None = None, x_max: float | None = None
) -> Series:
    """One metric's points (columns x, value) in [x_min, x_max] as raw points or at most `buckets` buckets.

    Each bucket carries the x range of its points (x0, x1), count, min, max, mean, first and last.
    NaN is counted but left out of min/max/mean, so one NaN does not erase a bucket's envelope. On an
    integer axis (steps, epoch ms) buckets are aligned: [k*w, (k+1)*w) for a round width w
    (`bucket_width`), so they keep their place as a run grows and the pyramid serves them exactly
    (query/lod.py); on a metric axis the x range of the points is split evenly.
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
    x = points.get_column("x").to_numpy()
    blocks = Blocks.of_points(x, points.get_column("value").to_numpy())
    if points.schema["x"].is_integer():
        return aligned_buckets(blocks, buckets)
    lo, hi = float(x[0]), float(x[-1])
    width = (hi - lo) / buckets or 1.0
    ids = np.clip(np.floor((x - lo) / width), 0, buckets - 1)
    return bucket_series(blocks.merge(group_starts(ids)))
