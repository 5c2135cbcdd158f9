"""A logged Table (a `table-file` media row, one Parquet object) paged, sorted, filtered and grouped with
Polars, so a 1M-row table never travels to the browser whole.

The object is content-addressed and never changes, so its decoded frame is cached by the object's
identity (FrameCache). Media cells (descriptor JSON in the file) come back as descriptors with a
presigned `url`, so the viewer draws them inline without another request.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from ..core.errors import InvalidInput, NotFound
from ..lake.keys import media_key
from ..lake.reader import FrameCache
from ..ports.blob_store import BlobStore
from .catalog import RunRecord
from .media import MediaRows, descriptor_at, signer, with_urls
from .table_filters import table_filter
from .tables_models import TableColumn, TableGroup, TablePage

__all__ = [
    "LAST_STEP",
    "MAX_TABLE_PAGE",
    "TABLE_METADATA",
    "TableQuery",
    "joined_tables",
    "read_table",
    "table_page",
]

MAX_TABLE_PAGE = 1000
LAST_STEP = 2**63 - 1  # "the latest table": the nearest step at or before the largest there is
TABLE_FILE = "table-file"
# The Parquet key-value metadata the SDK writes: {"version": 1, "columns": [{"name", "kind"}]}.
TABLE_METADATA = "wanllmdb.table"


@dataclass(frozen=True)
class TableQuery:
    key: str
    step: int
    offset: int = 0
    limit: int = 100
    sort: str | None = None
    descending: bool = False
    filters: str | None = None
    group_by: str | None = None

    def check(self) -> None:
        if self.offset < 0:
            raise InvalidInput("offset must be 0 or more", field="offset")
        if not 1 <= self.limit <= MAX_TABLE_PAGE:
            raise InvalidInput(f"limit must be 1..{MAX_TABLE_PAGE} rows", field="limit")


@dataclass
class LoggedTable:
    step: int
    descriptor: dict[str, Any]
    frame: pl.DataFrame
    kinds: dict[str, str]
    # A joined table's columns come from several runs: whose media a column's cells name.
    column_runs: dict[str, RunRecord] | None = None


def read_table(
    rows: MediaRows, blobs: BlobStore, run: RunRecord, key: str, step: int, *, cache: FrameCache
) -> LoggedTable:
    """The table logged under `key` at `step` (or the nearest earlier step) as a frame."""
    shown, descriptor = descriptor_at(rows, key, step)
    if descriptor["_type"] != TABLE_FILE or not isinstance(descriptor.get("path"), str):
        raise InvalidInput(f"{key!r} at step {shown} is a {descriptor['_type']}, not a table", field="key")
    object_key = media_key(run.project_id, run.id, descriptor["path"])
    info = blobs.head(object_key)
    if info is None:
        raise NotFound(f"the table file of {key!r} at step {shown} is not in the lake yet", field="key")
    frame, kinds = cache.get(info), cache.get(info, _KINDS)
    if frame is None or kinds is None:
        frame, kinds = _decode(blobs.get(object_key))
        cache.put(info, frame)
        cache.put(info, kinds, _KINDS)
    return LoggedTable(shown, descriptor, frame, dict(kinds.iter_rows()))


# The column kinds of a cached table, cached beside its frame (under this marker) rather than re-read.
_KINDS = ("__table_kinds__",)


def _decode(data: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The table, and each column's kind (name, kind): the SDK's metadata, else its Polars type.
    Polars only: the query function ships without pyarrow (Lambda's size limit)."""
    declared: dict[str, str] = {}
    try:
        meta = json.loads(pl.read_parquet_metadata(io.BytesIO(data)).get(TABLE_METADATA, "{}"))
        declared = {c["name"]: c["kind"] for c in meta.get("columns", [])}
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # a table file without our metadata still reads, typed by Polars
    frame = pl.read_parquet(io.BytesIO(data))
    kinds = {name: declared.get(name) or _polars_kind(dtype) for name, dtype in frame.schema.items()}
    schema = {"name": pl.String, "kind": pl.String}
    return frame, pl.DataFrame({"name": list(kinds), "kind": list(kinds.values())}, schema=schema)


def _polars_kind(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "number"
    if dtype == pl.Boolean:
        return "bool"
    if dtype == pl.String:
        return "str"
    if isinstance(dtype, pl.List):
        return "list"
    return "mixed"


def _cell(value: Any, kind: str, sign: Any) -> Any:
    if value is None:
        return None
    if kind.startswith("media:"):
        try:
            return with_urls(json.loads(value), sign)
        except ValueError:
            return value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return [_cell(v, "list", sign) for v in value]
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)  # dates and times as ISO text


def table_page(
    logged: LoggedTable, query: TableQuery, blobs: BlobStore, run: RunRecord, *, expires_s: int
) -> TablePage:
    query.check()
    frame = logged.frame
    keep = table_filter(query.filters, frame.schema)
    matched = frame.filter(keep) if keep is not None else frame
    groups: list[TableGroup] | None = None
    if query.group_by is not None:
        matched, groups = _grouped(matched, query.group_by, logged.kinds)
    if query.sort is not None:
        if query.sort not in matched.columns:
            raise InvalidInput(
                f"sort: the table has no column {query.sort!r}; its columns are {matched.columns}",
                field="sort",
            )
        matched = matched.sort(query.sort, descending=query.descending, nulls_last=True, maintain_order=True)
    page = matched.slice(query.offset, query.limit)
    kinds = {name: logged.kinds.get(name, "number") for name in page.columns}
    owners = logged.column_runs or {}
    signs = [signer(blobs, owners.get(c, run), expires_s=expires_s) for c in page.columns]
    rows = [
        [_cell(v, kinds[c], sign) for c, v, sign in zip(page.columns, row, signs, strict=True)]
        for row in page.iter_rows()
    ]
    return TablePage(
        key=query.key,
        requested_step=query.step,
        step=logged.step,
        exact=logged.step == query.step,
        columns=[TableColumn(name=name, kind=kinds[name]) for name in page.columns],
        total_rows=frame.height,
        matched_rows=matched.height,
        offset=query.offset,
        rows=rows,
        groups=groups,
        url_expires_s=expires_s,
    )


def _grouped(
    frame: pl.DataFrame, column: str, kinds: dict[str, str]
) -> tuple[pl.DataFrame, list[TableGroup]]:
    """One row per value of `column`: its count and the mean of every numeric column."""
    if column not in frame.columns:
        raise InvalidInput(
            f"group_by: the table has no column {column!r}; its columns are {frame.columns}", field="group_by"
        )
    if kinds.get(column, "").startswith("media:") or isinstance(frame.schema[column], pl.List):
        raise InvalidInput(
            f"group_by: {column!r} holds media or lists; group by a scalar column", field="group_by"
        )
    numeric = [c for c, t in frame.schema.items() if c != column and (t.is_numeric())]
    grouped = (
        frame.group_by(column)
        .agg(pl.len().alias("count"), *[pl.col(c).mean().alias(f"mean({c})") for c in numeric])
        .sort("count", column, descending=[True, False], nulls_last=True)
    )
    for c in numeric:
        kinds[f"mean({c})"] = "number"
    kinds["count"] = "int"
    groups = [TableGroup(value=_cell(v, kinds.get(column, "str"), None), count=n)
              for v, n in grouped.select(column, "count").iter_rows()]  # fmt: skip
    return grouped, groups


def joined_tables(tables: list[tuple[RunRecord, LoggedTable]], on: str, step: int) -> LoggedTable:
    """The tables of several runs side by side, full-joined on column `on`: `on` once, then each other
    column as `<run name>/<column>` (the run id where names repeat), so the same key logged by two runs
    reads as one comparison."""
    joined: pl.DataFrame | None = None
    kinds: dict[str, str] = {}
    owners: dict[str, RunRecord] = {}
    names = [run.name or run.id for run, _ in tables]
    for (run, logged), name in zip(tables, names, strict=True):
        label = name if names.count(name) == 1 else run.id
        if on not in logged.frame.columns:
            raise InvalidInput(
                f"on: the table of run {label} has no column {on!r}; its columns are {logged.frame.columns}",
                field="on",
            )
        renamed = {c: f"{label}/{c}" for c in logged.frame.columns if c != on}
        frame = logged.frame.rename(renamed)
        kinds.update({renamed.get(c, c): k for c, k in logged.kinds.items()})
        owners.update(dict.fromkeys(renamed.values(), run))
        if joined is None:
            joined = frame
        else:
            if joined.schema[on] != frame.schema[on]:
                raise InvalidInput(
                    f"on: {on!r} is {joined.schema[on]} in one table and {frame.schema[on]} in another",
                    field="on",
                )
            joined = joined.join(frame, on=on, how="full", coalesce=True, nulls_equal=False)
    assert joined is not None
    return LoggedTable(step, {"_type": TABLE_FILE}, joined, kinds, owners)
