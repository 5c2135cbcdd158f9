"""Console output of a run, read from its log chunks in the lake.

The SDK uploads captured stdout/stderr as Parquet chunks under
`logs/project={p}/run={r}/chunk-a{attempt:04d}-{seq:09d}.parquet` (schemas/lake_schema.json).
Lines are served in (attempt, line) order, so a resumed run's output follows its first attempt's.
`offset` counts lines of that ordered (and, with `search`, filtered) sequence, which only ever
grows at its end while a run logs, so a client tailing a live run asks again from its last offset.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import polars as pl
from pydantic import BaseModel

from ..core.errors import InvalidInput
from .layout import parse_chunk

if TYPE_CHECKING:
    from ..ports.blob_store import BlobStore
    from .catalog import RunRecord

__all__ = ["MAX_LOG_LIMIT", "LogLine", "LogPage", "log_prefix", "read_logs"]

MAX_LOG_LIMIT = 10_000
_COLUMNS = ["line", "ts", "stream", "text", "attempt"]


class LogLine(BaseModel):
    line: int
    ts: str
    stream: str
    text: str


class LogPage(BaseModel):
    lines: list[LogLine]
    next_offset: int | None


def log_prefix(project_id: str, run_id: str) -> str:
    # Both ids come from the stored run record, validated when the run was created.
    return f"logs/project={project_id}/run={run_id}/"


def read_logs(
    blobs: BlobStore, run: RunRecord, *, offset: int = 0, limit: int = 1000, search: str | None = None
) -> LogPage:
    """Lines [offset, offset + limit) of the run's console output; `next_offset` is None at the end."""
    if offset < 0:
        raise InvalidInput("offset must be >= 0", field="offset")
    if not 1 <= limit <= MAX_LOG_LIMIT:
        raise InvalidInput(f"limit must be 1..{MAX_LOG_LIMIT}", field="limit")
    frames = []
    for info in blobs.list(log_prefix(run.project_id, run.id)):
        if parse_chunk(info.key) is None:
            continue  # a temp or foreign object under the prefix is not a chunk
        frames.append(pl.read_parquet(io.BytesIO(blobs.get(info.key)), columns=_COLUMNS))
    if not frames:
        return LogPage(lines=[], next_offset=None)
    # A retried chunk upload overwrites its key, but two attempts may both hold a line number.
    logs = pl.concat(frames).unique(subset=["attempt", "line"], keep="last").sort(["attempt", "line"])
    if search:
        logs = logs.filter(pl.col("text").str.contains(search, literal=True))
    page = logs.slice(offset, limit)
    end = offset + page.height
    lines = [
        LogLine(line=row["line"], ts=row["ts"].isoformat(), stream=row["stream"], text=row["text"])
        for row in page.iter_rows(named=True)
    ]
    return LogPage(lines=lines, next_offset=end if end < logs.height else None)
