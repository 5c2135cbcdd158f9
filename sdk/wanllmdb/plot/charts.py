"""wandb's chart presets over a table: line, scatter, bar, histogram, and line_series from raw lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from wanllmdb.data_types.table import Table
from wanllmdb.errors import InvalidValue
from wanllmdb.plot.custom_chart import CustomChart, plot_table

__all__ = ["bar", "histogram", "line", "line_series", "scatter"]


def line(
    table: Table, x: str, y: str, stroke: str | None = None, title: str = "", split_table: bool = False
) -> CustomChart:
    fields = {"x": x, "y": y, "stroke": stroke}
    return plot_table("wandb/line/v0", table, fields, {"title": title}, split_table)


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> CustomChart:
    return plot_table("wandb/scatter/v0", table, {"x": x, "y": y}, {"title": title}, split_table)


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    return plot_table("wandb/bar/v0", table, {"label": label, "value": value}, {"title": title}, split_table)


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    return plot_table("wandb/histogram/v0", table, {"value": value}, {"title": title}, split_table)


def _values(name: str, values: Any) -> list[Any]:
    if hasattr(values, "tolist"):
        values = values.tolist()
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidValue(f"line_series: {name} must be a list of numbers, got {type(values).__name__}")
    return list(values)


def line_series(
    xs: Sequence[Any],
    ys: Sequence[Sequence[Any]],
    keys: Sequence[str] | None = None,
    title: str = "",
    xname: str = "x",
    split_table: bool = False,
) -> CustomChart:
    """Several lines in one chart: ``xs`` shared (one list) or one list per line; a table of
    (lineKey, lineVal, step) rows, wandb's layout."""
    series = [_values(f"ys[{i}]", y) for i, y in enumerate(_values("ys", ys))]
    x_lists = _values("xs", xs)
    shared = not x_lists or not isinstance(x_lists[0], list | tuple)  # one list of xs for every line
    per_line = [x_lists] * len(series) if shared else [_values(f"xs[{i}]", x) for i, x in enumerate(x_lists)]
    if len(per_line) != len(series):
        raise InvalidValue(f"line_series: {len(per_line)} lists of xs for {len(series)} lines of ys")
    names = list(keys) if keys is not None else [f"key_{i}" for i in range(len(series))]
    if len(names) != len(series):
        raise InvalidValue(f"line_series: {len(names)} keys for {len(series)} lines of ys")
    table = Table(columns=["lineKey", "lineVal", "step"])
    for i, (name, x, y) in enumerate(zip(names, per_line, series, strict=True)):
        if len(x) != len(y):
            raise InvalidValue(f"line_series: line {i} ({name!r}) has {len(x)} xs and {len(y)} ys")
        for step, value in zip(x, y, strict=True):
            table.add_data(name, value, step)
    return plot_table(
        "wandb/lineseries/v0",
        table,
        {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"},
        {"title": title, "xname": xname},
        split_table,
    )
