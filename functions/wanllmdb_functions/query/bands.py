"""Grouped bands for multi-run compare: mean, min, max and stddev across the runs of a group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from ..core.errors import InvalidInput
from .catalog import RunRecord
from .envelope import json_values
from .models import CompareRequest, GroupBand

__all__ = ["band_of", "group_bands", "group_value", "group_values"]

_RUN_FIELDS = ("group", "job_type", "state", "name")


def group_value(run: RunRecord, group_by: str) -> Any:
    if group_by in _RUN_FIELDS:
        return getattr(run, group_by)
    if group_by.startswith("config."):
        node: Any = run.loaded_config
        for part in group_by.removeprefix("config.").split("."):
            if isinstance(node, dict) and "value" in node and part not in node and len(node) <= 2:
                node = node["value"]  # wandb-style {"value": ..., "desc": ...} config entries
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict | list):
            return repr(node)
        return node
    raise InvalidInput(
        f"group_by must be one of {', '.join(_RUN_FIELDS)}, tags or config.<path>", field="group_by"
    )


def group_values(run: RunRecord, group_by: str) -> list[Any]:
    """The groups a run belongs to: one per tag when grouping by tags (None without tags), else one."""
    if group_by == "tags":
        return list(run.tags) or [None]
    return [group_value(run, group_by)]


def band_of(frames: Sequence[pl.DataFrame], buckets: int) -> dict[str, list[Any]]:
    """One band over several members (runs): per x slot the mean and stddev of the members' values,
    the lowest and highest of them, and how many members had a point there.

    Each frame has `x` and `value`. A frame may also carry `lo` and `hi`: the member's own extremes
    around each value (a bucketed series' min and max). The band's min and max then reach those
    extremes rather than the values, so a spike averaged away inside one member's bucket still
    shows. Without them a member's value is its own extreme.

    Members' x are put on one grid of at most `buckets` slots: their own x when few enough distinct
    x are logged (each member's last value per x), else equal-width slots (each member's mean there).
    """
    parts = []
    for i, f in enumerate(frames):
        # Without its own extremes a member's lo and hi are its value in each slot (filled in below).
        lo = pl.col("lo") if "lo" in f.columns else pl.lit(None, dtype=pl.Float64)
        hi = pl.col("hi") if "hi" in f.columns else pl.lit(None, dtype=pl.Float64)
        parts.append(
            f.select(pl.col("x"), pl.col("value"), lo.alias("lo"), hi.alias("hi"), pl.lit(i).alias("member"))
        )
    empty: dict[str, list[Any]] = {"x": [], "mean": [], "min": [], "max": [], "std": [], "runs": []}
    if not parts:
        return empty
    points = pl.concat(parts, how="vertical_relaxed")
    points = points.with_columns(pl.col("value", "lo", "hi").cast(pl.Float64).fill_nan(None)).drop_nulls(
        "value"
    )
    if points.height == 0:
        return empty
    distinct_x = points.get_column("x").n_unique()
    if distinct_x > buckets:
        lo_x, hi_x = points.get_column("x").min(), points.get_column("x").max()
        width = (float(hi_x) - float(lo_x)) / buckets or 1.0  # type: ignore[arg-type]
        bucket = ((pl.col("x") - lo_x) / width).floor().clip(0, buckets - 1)
        points = points.with_columns(bucket.alias("slot"))
        per_member = points.group_by("slot", "member").agg(
            pl.col("x").mean(), pl.col("value").mean(), pl.col("lo").min(), pl.col("hi").max()
        )
    else:
        per_member = (
            points.group_by("x", "member")
            .agg(pl.col("value").last(), pl.col("lo").min(), pl.col("hi").max())
            .with_columns(pl.col("x").alias("slot"))
        )
    per_member = per_member.with_columns(
        pl.col("lo").fill_null(pl.col("value")), pl.col("hi").fill_null(pl.col("value"))
    )
    band = (
        per_member.group_by("slot")
        .agg(
            pl.col("x").mean().alias("x"),
            pl.col("value").mean().alias("mean"),
            pl.col("lo").min().alias("min"),
            pl.col("hi").max().alias("max"),
            pl.col("value").std(ddof=0).alias("std"),
            pl.len().alias("runs"),
        )
        .sort("slot")
    )
    return {c: json_values(band.get_column(c).to_list()) for c in ("x", "mean", "min", "max", "std", "runs")}


def group_bands(
    runs: Sequence[RunRecord], framed: dict[str, dict[str, pl.DataFrame]], body: CompareRequest
) -> list[GroupBand]:
    assert body.group_by is not None
    members: dict[str, tuple[Any, list[str]]] = {}
    for run in runs:
        for value in group_values(run, body.group_by):
            members.setdefault(repr(value), (value, []))[1].append(run.id)
    bands: list[GroupBand] = []
    for value, run_ids in members.values():
        series: dict[str, dict[str, list[Any]]] = {}
        for key in body.keys:
            frames = [framed[r][key] for r in run_ids if key in framed.get(r, {})]
            if frames:
                if body.min is not None:
                    frames = [f.filter(pl.col("x") >= body.min) for f in frames]
                if body.max is not None:
                    frames = [f.filter(pl.col("x") <= body.max) for f in frames]
                series[key] = band_of(frames, body.buckets)
        bands.append(GroupBand(value=value, runs=run_ids, series=series))
    return bands
