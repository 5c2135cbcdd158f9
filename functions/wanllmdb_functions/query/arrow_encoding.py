"""A batch answer as an Arrow IPC stream (`application/vnd.apache.arrow.stream`), written by Polars.

One row per (run, key) series; each bucket field is a list column, so a series is a slice of one
contiguous float64 buffer that a browser reads without parsing a number:

    run: utf8, key: utf8, raw: bool, last_step: int64, warnings: list<utf8>,
    then the asked fields: x0, x1, min, max, mean, first, last: list<float64>; count: list<uint32>

A raw series (no more points than buckets) is written as one-point buckets: x0 = x1 = x,
count = 1, and min = max = mean = first = last = y, so a reader needs no second shape. NaN and
infinities stay IEEE values (JSON has to spell them as strings); an all-NaN bucket's mean is null.
A run with none of the keys still gets one row, with a null key and empty lists, so its last step
and warnings arrive.

A band (the `band` runs of a POST, aggregated per key) is one row per key with a null `run`: each
x slot as a one-point bucket (x0 = x1 = the slot's x), min and max over the band's runs, mean
(and first and last) their mean, count how many runs had a point there; and one more column,
`std: list<float64>`, present only when a band was asked for (empty lists on the runs' rows).

Strings and lists are Arrow's large variants (what Polars writes at its oldest compatibility
level, which every Arrow reader knows).

The query Lambda ships without pyarrow, so this is Polars only.
"""

from __future__ import annotations

import io
import math
from itertools import chain
from typing import Any

import polars as pl

from .batch import BatchResult
from .models import SeriesOut

__all__ = ["ARROW_STREAM", "batch_arrow"]

ARROW_STREAM = "application/vnd.apache.arrow.stream"
_FROM_JSON = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _floats(values: list[Any]) -> pl.Series:
    try:  # the common case, every number finite: no Python loop over the values
        return pl.Series(values, dtype=pl.Float64, strict=True)
    except TypeError:  # the per-run read spells non-finite numbers for JSON; Arrow carries them as they are
        return pl.Series([_FROM_JSON[v] if isinstance(v, str) else v for v in values], dtype=pl.Float64)


def _field(series: SeriesOut, field: str) -> list[Any]:
    if series.raw:  # a raw series as one-point buckets
        points = series.points or {"x": [], "y": []}
        if field == "count":
            return [1] * len(points["x"])
        return points["x"] if field in ("x0", "x1") else points["y"]
    return (series.buckets or {})[field]


def _band_series(band: dict[str, list[Any]]) -> SeriesOut:
    """A band key's slots as one-point buckets, so the reader needs no third shape."""
    mean = band["mean"]
    buckets = {"x0": band["x"], "x1": band["x"], "count": band["runs"], "min": band["min"],
               "max": band["max"], "mean": mean, "first": mean, "last": mean}  # fmt: skip
    return SeriesOut(raw=False, buckets=buckets)


def batch_arrow(result: BatchResult) -> bytes:
    fields = result.query.fields
    rows: dict[str, list[Any]] = {"run": [], "key": [], "raw": [], "last_step": [], "warnings": []}
    entries: list[SeriesOut | None] = []
    stds: list[list[Any]] = []
    for run, chart in result.runs:
        listed: list[tuple[str | None, SeriesOut | None]] = list(chart.series.items()) or [(None, None)]
        for i, (key, series) in enumerate(listed):
            rows["run"].append(run.id)
            rows["key"].append(key)
            rows["raw"].append(series.raw if series is not None else True)
            rows["last_step"].append(chart.last_step)
            rows["warnings"].append(chart.warnings if i == 0 else [])
            entries.append(series)
            stds.append([])
    if result.band is not None:
        for i, (key, band) in enumerate(result.band.series.items()):
            rows["run"].append(None)
            rows["key"].append(key)
            rows["raw"].append(False)
            rows["last_step"].append(None)
            rows["warnings"].append(result.band.warnings if i == 0 else [])
            entries.append(_band_series(band))
            stds.append(band["std"])
    meta = pl.DataFrame(
        rows,
        schema={
            "run": pl.String(),
            "key": pl.String(),
            "raw": pl.Boolean(),
            "last_step": pl.Int64(),
            "warnings": pl.List(pl.String()),
        },
    )
    # Each field's values of every series end to end, then cut back into one list per row.
    lengths = [0 if s is None else len(_field(s, fields[0])) for s in entries]
    row = pl.int_range(len(entries), dtype=pl.UInt32, eager=True).repeat_by(
        pl.Series(lengths, dtype=pl.UInt32)
    )
    flat = {"row": row.explode().drop_nulls()}
    for f in fields:
        values = list(chain.from_iterable(_field(s, f) for s in entries if s is not None))
        flat[f] = pl.Series(values, dtype=pl.UInt32) if f == "count" else _floats(values)
    lists = pl.DataFrame(flat).group_by("row", maintain_order=True).agg(pl.all())
    frame = meta.with_row_index("row").join(lists, on="row", how="left", maintain_order="left").drop("row")
    if result.band is not None:
        frame = frame.with_columns(std=pl.Series([_floats(v) for v in stds], dtype=pl.List(pl.Float64)))
    empty = {f: pl.col(f).fill_null(pl.lit([], dtype=frame.schema[f])) for f in fields}
    sink = io.BytesIO()
    frame.with_columns(**empty).write_ipc_stream(sink, compat_level=pl.CompatLevel.oldest())
    return sink.getvalue()
