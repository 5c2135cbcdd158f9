"""Grouped bands for multi-run compare: mean, min, max and stddev across the runs of a group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from ..core.errors import InvalidInput
from .catalog import RunRecord
from .envelope import json_values
from .models import CompareRequest, GroupBand

__all__ = ["group_bands", "group_value", "group_values"]

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


def _band(frames: Sequence[pl.DataFrame], buckets: int) -> dict[str, list[Any]]:
    points = pl.concat([f.select("x", "value", pl.lit(i).alias("member")) for i, f in enumerate(frames)])
    points = points.with_columns(pl.col("value").fill_nan(None)).drop_nulls("value")
    if points.height == 0:
        return {"x": [], "mean": [], "min": [], "max": [], "std": [], "runs": []}
    distinct_x = points.get_column("x").n_unique()
    if distinct_x > buckets:
        lo, hi = points.get_column("x").min(), points.get_column("x").max()
        width = (float(hi) - float(lo)) / buckets or 1.0  # type: ignore[arg-type]
        bucket = ((pl.col("x") - lo) / width).floor().clip(0, buckets - 1)
        points = points.with_columns(bucket.alias("slot"))
        per_member = points.group_by("slot", "member").agg(pl.col("x").mean(), pl.col("value").mean())
    else:
        per_member = (
            points.group_by("x", "member").agg(pl.col("value").last()).with_columns(pl.col("x").alias("slot"))
        )
    band = (
        per_member.group_by("slot")
        .agg(
            pl.col("x").mean().alias("x"),
            pl.col("value").mean().alias("mean"),
            pl.col("value").min().alias("min"),
            pl.col("value").max().alias("max"),
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
                series[key] = _band(frames, body.buckets)
        bands.append(GroupBand(value=value, runs=run_ids, series=series))
    return bands
