"""The band of a batch answer: many runs (up to 1,000) drawn as one min/max band per key.

A workspace with more runs selected than it draws as lines (W&B's "top N") aggregates the rest
here, on the server, so the browser gets one series per key instead of 1,000. Each band run is
read as a chart reads it (`QueryService.run_series`: its level-of-detail pyramid where one serves,
else raw rows) at the asked bucket count, and the runs' buckets are combined by the same band the
grouped compare draws (`bands.band_of`): per x slot the mean and stddev of the runs' bucket means,
and the lowest bucket min and highest bucket max, so a spike in any one run still reaches the band.

The runs' listings come from one listing of the project and one of its pyramids, not one per run.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import polars as pl

from ..core.errors import NotFound
from ..lake.lod import list_pyramids
from ..lake.visible import StreamObjects, list_project
from .bands import band_of
from .batch_models import BatchBand, BatchQuery
from .catalog import RunRecord
from .envelope import Series

if TYPE_CHECKING:
    from .service import QueryService

__all__ = ["band_listing", "read_band", "series_frame"]

_FROM_JSON = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def _floats(values: list[object]) -> pl.Series:
    return pl.Series([_FROM_JSON[v] if isinstance(v, str) else v for v in values], dtype=pl.Float64)


def series_frame(series: Series) -> pl.DataFrame:
    """One run's chart series as band input: x (a bucket's middle), value (its mean), lo and hi
    (its min and max); a raw series' points are their own extremes."""
    c = series.columns
    if series.raw:
        y = _floats(c["y"])
        return pl.DataFrame({"x": _floats(c["x"]), "value": y, "lo": y, "hi": y})
    x = (_floats(c["x0"]) + _floats(c["x1"])) / 2
    return pl.DataFrame(
        {"x": x, "value": _floats(c["mean"]), "lo": _floats(c["min"]), "hi": _floats(c["max"])}
    )


def band_listing(
    service: QueryService, project_id: str, records: list[RunRecord], stream: str
) -> list[StreamObjects]:
    """Each band run's stream objects, from one listing of the project (a run with none: empty)."""
    if not records:
        return []
    streams = list_project(service.blobs, project_id)
    return [streams.get((r.id, stream)) or StreamObjects(prefix="") for r in records]


def read_band(
    service: QueryService,
    pool: ThreadPoolExecutor,
    project_id: str,
    listed: list[tuple[RunRecord, StreamObjects]],
    query: BatchQuery,
) -> tuple[BatchBand, list[str]]:
    """The band of `listed` runs per key of `query`, and the ids of runs gone since the listing."""
    pyramids = list_pyramids(service.blobs, project_id) if query.x == "step" else {}

    def read(item: tuple[RunRecord, StreamObjects]) -> tuple[str, dict[str, pl.DataFrame] | None, list[str]]:
        run, objects = item
        warnings: list[str] = []
        try:
            series, _ = service.run_series(
                run,
                query.stream,
                objects,
                query.keys,
                x=query.x,
                buckets=query.buckets,
                x_min=query.x_min,
                x_max=query.x_max,
                after_step=None,
                warnings=warnings,
                pyramids=pyramids.get((run.id, query.stream), []),
            )
        except NotFound:  # deleted since the listing: left out like a run that never was
            return run.id, None, warnings
        # Frames, not the series' Python lists: 1,000 runs' lists would hold every float boxed.
        return run.id, {key: series_frame(s) for key, s in series.items()}, warnings

    frames: dict[str, list[pl.DataFrame]] = {key: [] for key in query.keys}
    gone: list[str] = []
    warnings: list[str] = []
    read_runs = 0
    for run_id, by_key, got_warnings in pool.map(read, listed):
        warnings.extend(w for w in got_warnings if w not in warnings)
        if by_key is None:
            gone.append(run_id)
            continue
        read_runs += 1
        for key, frame in by_key.items():
            frames[key].append(frame)
    series = {key: band_of(parts, query.buckets) for key, parts in frames.items() if parts}
    return BatchBand(runs=read_runs, series=series, warnings=warnings), gone
