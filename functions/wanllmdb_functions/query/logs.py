"""Console output of a run, read from its log objects in the lake.

The SDK uploads captured stdout/stderr as Parquet chunks under
`logs/project={p}/run={r}/chunk-a{attempt:04d}-{seq:09d}.parquet` (schemas/lake_schema.json);
compaction merges them into `compact-{coverage}.parquet` under the same prefix, exactly as it does
for a metric stream, so a reader takes the newest compacted file plus the chunks it does not cover.
Lines are served in (attempt, line) order, so a resumed run's output follows its first attempt's.
`offset` counts lines of that ordered (and, with `search`, filtered) sequence, which only ever
grows at its end while a run logs, so a client tailing a live run asks again from its last offset.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel, Field

from ..core.errors import InvalidInput, NotFound
from ..lake.jsonl import read_log_jsonl
from ..lake.keys import chunk_format, log_prefix
from ..lake.visible import resolve_stream

if TYPE_CHECKING:
    from ..ports.blob_store import BlobInfo, BlobStore
    from .catalog import RunRecord

__all__ = [
    "MAX_LOG_LIMIT",
    "LogLine",
    "LogPage",
    "log_prefix",
    "merge_log_lines",
    "read_log_object",
    "read_logs",
]

log = logging.getLogger(__name__)

MAX_LOG_LIMIT = 10_000
_COLUMNS = ["line", "ts", "stream", "text", "attempt"]
_LISTING_TRIES = 3


class LogLine(BaseModel):
    line: int
    ts: str
    stream: str
    text: str


class LogPage(BaseModel):
    lines: list[LogLine]
    next_offset: int | None
    warnings: list[str] = Field(
        default_factory=list, description="Log objects that could not be read and were skipped."
    )


def read_log_object(blobs: BlobStore, info: BlobInfo) -> pl.DataFrame:
    """One log object, every column. Raises NotFound if it vanished, ValueError if it is corrupt."""
    if chunk_format(info.key) == "jsonl":
        try:
            return read_log_jsonl(blobs.get(info.key))
        except ValueError as exc:
            raise ValueError(f"{info.key}: not a readable gzip JSON-lines log chunk: {exc}") from exc
    try:
        return pl.read_parquet(io.BytesIO(blobs.get(info.key)))
    except NotFound:
        raise
    except Exception as exc:  # Polars raises several types for bad bytes; all mean "corrupt object"
        raise ValueError(f"{info.key}: not a readable log Parquet file ({type(exc).__name__})") from exc


def merge_log_lines(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Ordered by (attempt, line), one row per pair, the last written: a re-uploaded chunk adds nothing."""
    frame = pl.concat(parts, how="vertical_relaxed").with_row_index("_order")
    return (
        frame.sort(["attempt", "line", "_order"])
        .unique(subset=["attempt", "line"], keep="last", maintain_order=True)
        .drop("_order")
    )


def _visible_lines(blobs: BlobStore, run: RunRecord) -> tuple[list[pl.DataFrame], list[str]]:
    prefix = log_prefix(run.project_id, run.id)
    for _ in range(_LISTING_TRIES):
        frames: list[pl.DataFrame] = []
        warnings: list[str] = []
        try:
            for info in resolve_stream(prefix, blobs.list(prefix)).objects:
                try:
                    frames.append(read_log_object(blobs, info).select(_COLUMNS))
                except ValueError as exc:
                    log.warning("skipping a corrupt log object: %s", exc)
                    warnings.append(str(exc))
        except NotFound:
            continue  # compaction retired an object between listing and reading: list again
        return frames, warnings
    raise NotFound("the run's logs kept moving under compaction; retry", field="run_id")


def read_logs(
    blobs: BlobStore, run: RunRecord, *, offset: int = 0, limit: int = 1000, search: str | None = None
) -> LogPage:
    """Lines [offset, offset + limit) of the run's console output; `next_offset` is None at the end."""
    if offset < 0:
        raise InvalidInput("offset must be >= 0", field="offset")
    if not 1 <= limit <= MAX_LOG_LIMIT:
        raise InvalidInput(f"limit must be 1..{MAX_LOG_LIMIT}", field="limit")
    frames, warnings = _visible_lines(blobs, run)
    if not frames:
        return LogPage(lines=[], next_offset=None, warnings=warnings)
    # Overlapping objects (a compaction half-way) and a retried upload are de-duplicated here.
    logs = merge_log_lines(frames)
    if search:
        logs = logs.filter(pl.col("text").str.contains(search, literal=True))
    page = logs.slice(offset, limit)
    end = offset + page.height
    lines = [
        LogLine(line=row["line"], ts=row["ts"].isoformat(), stream=row["stream"], text=row["text"])
        for row in page.iter_rows(named=True)
    ]
    return LogPage(lines=lines, next_offset=end if end < logs.height else None, warnings=warnings)
