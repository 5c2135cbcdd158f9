"""Reads a run stream's visible objects into one Polars frame, tolerating corrupt objects.

Objects are immutable per (key, size, etag): a chunk key is rewritten only with identical
bytes, and a compacted file's name changes with its content. So a decoded object can be cached
by that triple and a cache hit is never stale. The cache has a byte budget so a Lambda stays
inside its memory.

Objects are fetched through the port's `get` on every backend: on a local lake that measured
faster than letting Polars open the path (benchmarks/query.py prints both), it reuses the S3
adapter's credentials, and a compressed object is small next to its decoded frame. SQL scans
lazily through `BlobStore.location()` instead, where predicate pushdown pays (catalog.py).
"""

from __future__ import annotations

import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..core.errors import Conflict, NotFound
from ..ports.blob_store import BlobInfo, BlobStore
from .jsonl import read_metric_jsonl
from .keys import chunk_format
from .schema import ADDED_COLUMNS, METRIC_SCHEMA, conform_metrics
from .visible import StreamObjects, list_stream

# A projection of the lake columns (None: all); charts skip `ts` and `ref`, which cost half the decode.
Columns = tuple[str, ...] | None

__all__ = [
    "Columns",
    "FrameCache",
    "ObjectSource",
    "StreamRead",
    "dedup_latest_attempt",
    "merge_rows",
    "read_object",
    "read_stream",
    "scan_object",
]

log = logging.getLogger(__name__)


class FrameCache:
    """LRU of decoded objects, bounded by Polars' estimate of their in-memory size."""

    def __init__(self, max_bytes: int = 256 << 20) -> None:
        self.max_bytes = max_bytes
        self._frames: OrderedDict[tuple[str, int, str, Columns], pl.DataFrame] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, info: BlobInfo, columns: Columns = None) -> pl.DataFrame | None:
        with self._lock:
            ident = (info.key, info.size, info.etag, columns)
            frame = self._frames.get(ident)
            if frame is not None:
                self._frames.move_to_end(ident)
            return frame

    def put(self, info: BlobInfo, frame: pl.DataFrame, columns: Columns = None) -> None:
        size = int(frame.estimated_size())
        if size > self.max_bytes // 2:
            return
        with self._lock:
            ident = (info.key, info.size, info.etag, columns)
            if ident in self._frames:
                return
            self._frames[ident] = frame
            self._bytes += size
            while self._bytes > self.max_bytes and self._frames:
                _, evicted = self._frames.popitem(last=False)
                self._bytes -= int(evicted.estimated_size())


def read_object(
    blobs: BlobStore, info: BlobInfo, *, cache: FrameCache | None = None, columns: Columns = None
) -> pl.DataFrame:
    """One lake object as a schema-conformed frame (only `columns` when given).

    Raises NotFound if the object vanished, ValueError if it is corrupt.
    """
    if cache is not None and (hit := cache.get(info, columns)) is not None:
        return hit
    if chunk_format(info.key) == "jsonl":
        frame = _read_jsonl(blobs, info, columns)
    else:
        frame = _read_parquet(blobs, info, columns)
    if cache is not None:
        cache.put(info, frame, columns)
    return frame


def _read_jsonl(blobs: BlobStore, info: BlobInfo, columns: Columns) -> pl.DataFrame:
    try:
        frame = read_metric_jsonl(blobs.get(info.key))
    except ValueError as exc:
        raise ValueError(f"{info.key}: not a readable gzip JSON-lines chunk: {exc}") from exc
    return frame if columns is None else frame.select(c for c in frame.columns if c in columns)


def _read_parquet(blobs: BlobStore, info: BlobInfo, columns: Columns) -> pl.DataFrame:
    try:
        source = io.BytesIO(blobs.get(info.key))
        wanted = list(columns) if columns else None
        if wanted is not None and ADDED_COLUMNS.intersection(wanted):
            # A file written before a column was added lacks it; conform_metrics fills it with nulls.
            present = pl.read_parquet_schema(source)
            wanted = [c for c in wanted if c in present or c not in ADDED_COLUMNS]
            source.seek(0)
        frame = conform_metrics(pl.read_parquet(source, columns=wanted), columns)
    except NotFound:
        raise
    except Exception as exc:  # Polars raises several types for bad bytes; all mean "corrupt object"
        raise ValueError(f"{info.key}: not a readable lake Parquet file ({type(exc).__name__})") from exc
    return frame


def dedup_latest_attempt(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (key, step): the highest attempt, and within it the last written."""
    if frame.height == 0:
        return frame
    ordered = frame.with_row_index("_order").sort(["attempt", "_order"])
    return ordered.unique(subset=["key", "step"], keep="last", maintain_order=False).drop("_order")


def merge_rows(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Sorted by (step, key, attempt); one row per triple, the last written.

    A re-uploaded chunk therefore adds nothing.
    """
    frame = pl.concat(parts, how="vertical").with_row_index("_order")
    frame = frame.with_columns(pl.col("key").cast(pl.String))
    merged = (
        frame.sort(["step", "key", "attempt", "_order"])
        .unique(subset=["step", "key", "attempt"], keep="last", maintain_order=True)
        .drop("_order")
    )
    return merged.with_columns(pl.col("key").cast(pl.Categorical))


def scan_object(uri: str, *, storage_options: dict[str, Any] | None = None) -> pl.LazyFrame:
    """One lake Parquet object as a lazy, schema-conformed scan (filters push down into the Parquet read).

    A file written before a column was added gets it as nulls, as `read_object` gives it. A JSON-lines
    chunk has no such scan: read it with `read_object` (it is small, and compaction soon retires it).
    """
    scan = pl.scan_parquet(
        uri,
        storage_options=storage_options,
        schema=METRIC_SCHEMA,
        missing_columns="insert",
        extra_columns="ignore",
    )
    return scan.select(*(pl.col(c).cast(t) for c, t in METRIC_SCHEMA.items()))


class ObjectSource:
    """One lake object for selective Parquet reads (a filter decodes only the row groups it needs).

    On a local lake, the file itself: Polars reads only those row groups. Elsewhere, its bytes,
    fetched once through the port however many reads follow.
    """

    def __init__(self, blobs: BlobStore, info: BlobInfo) -> None:
        self.blobs = blobs
        self.info = info
        self._data: bytes | None = None

    def open(self) -> str | io.BytesIO:
        location = self.blobs.location("")
        if "://" not in location.uri:
            return f"{location.uri.rstrip('/')}/{self.info.key}"
        if self._data is None:
            self._data = self.blobs.get(self.info.key)
        return io.BytesIO(self._data)


@dataclass
class StreamRead:
    frame: pl.DataFrame
    objects: StreamObjects
    warnings: list[str] = field(default_factory=list)


def _empty(columns: Columns) -> pl.DataFrame:
    return pl.DataFrame(schema={c: t for c, t in METRIC_SCHEMA.items() if columns is None or c in columns})


def read_stream(
    blobs: BlobStore,
    project_id: str,
    run_id: str,
    stream: str,
    *,
    keys: Iterable[str] | None = None,
    cache: FrameCache | None = None,
    objects: StreamObjects | None = None,
    dedup: bool = True,
    columns: Columns = None,
) -> StreamRead:
    """The stream's rows (optionally only `keys`), latest attempt per (key, step) when `dedup`."""
    wanted = list(keys) if keys is not None else None
    for attempt in range(3):
        listing = (
            objects
            if objects is not None and attempt == 0
            else list_stream(blobs, project_id, run_id, stream)
        )
        warnings: list[str] = []
        parts: list[pl.DataFrame] = []
        try:
            for info in listing.objects:
                try:
                    frame = read_object(blobs, info, cache=cache, columns=columns)
                except ValueError as exc:
                    log.warning("skipping corrupt lake object: %s", exc)
                    warnings.append(f"skipped corrupt object {info.key}")
                    continue
                if wanted is not None:
                    # Categorical against strings: no per-row cast (100x cheaper than casting first).
                    frame = frame.filter(pl.col("key").is_in(wanted))
                parts.append(frame)
        except NotFound:
            # A compaction removed a chunk after our listing; its rows are in a newer compacted file.
            continue
        frame = pl.concat(parts, how="vertical") if parts else _empty(columns)
        if dedup and listing.needs_dedup:
            frame = dedup_latest_attempt(frame)
        return StreamRead(frame, listing, warnings)
    raise Conflict("the run's metrics changed during the read; ask again", field="run_id")
