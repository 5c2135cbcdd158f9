"""Merges a run stream's chunks into one sorted, de-duplicated Parquet file (design: docs/lake.md).

Safety argument, in short:
- The compacted file's name is its manifest (`layout.Coverage`): per attempt, every chunk seq
  0..high is inside. Coverage only grows over contiguous seqs, so a chunk that arrives late
  (a slow upload, a `sync` after kill -9) is never hidden by a file that does not hold it.
- The new file is written atomically (`BlobStore.put`) before any input is deleted, and only
  inputs it holds are deleted. Readers always find each row in some visible object.
- Two racing compactions from the same listing write the same key with the same rows. From
  different listings, the reader keeps every undominated compacted file and de-duplicates rows,
  and a compaction whose input vanished gives up (the other one holds those rows).
- A metric stream's compacted file gets its level-of-detail pyramid first (pyramid.py), under the
  same coverage name, so the pyramid a reader finds always matches the file it sees.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ..core.errors import NotFound
from ..lake.keys import (
    LOGS,
    STREAMS,
    Coverage,
    compacted_key,
    compacted_log_key,
    log_prefix,
    parse_compacted,
)
from ..lake.reader import merge_rows, read_object
from ..lake.visible import StreamObjects, list_stream, resolve_stream
from ..ports.blob_store import BlobInfo, BlobStore
from ..query.logs import merge_log_lines, read_log_object
from .pyramid import StreamPyramids

__all__ = ["CompactionResult", "compact_logs", "compact_run", "compact_stream"]

log = logging.getLogger(__name__)

# Small row groups, sorted by step: a read of a step range (query/lod.py) decodes a few of them; a
# whole-file read decodes them in parallel and measured no slower than one 1M-row group.
PARQUET_ROW_GROUP = 65_536
_MOVED = "a concurrent compaction moved the inputs"


@dataclass(frozen=True)
class CompactionResult:
    stream: str
    key: str | None
    rows: int
    merged: int
    deleted: int
    skipped: str | None = None


def _grown_coverage(objects: StreamObjects, readable: set[str]) -> tuple[Coverage, list[BlobInfo]]:
    high: dict[int, int] = defaultdict(lambda: -1)
    for info, coverage in objects.compacted:
        if info.key not in readable:
            continue
        for attempt, seq in coverage.high.items():
            high[attempt] = max(high[attempt], seq)
    taken: list[BlobInfo] = []
    for info, chunk in objects.chunks:  # sorted by (attempt, seq)
        if chunk.seq == high[chunk.attempt] + 1 and info.key in readable:
            high[chunk.attempt] = chunk.seq
            taken.append(info)
    return Coverage({a: s for a, s in high.items() if s >= 0}), taken


def _parquet(frame: pl.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.write_parquet(sink, compression="zstd", row_group_size=PARQUET_ROW_GROUP, statistics=True)
    return sink.getvalue()


def compact_stream(
    blobs: BlobStore,
    project_id: str,
    run_id: str,
    stream: str,
    *,
    min_chunks: int = 1,
    objects: StreamObjects | None = None,
) -> CompactionResult:
    """Compact one stream when it has at least `min_chunks` uncompacted chunks. Idempotent.

    `objects` is a listing taken earlier (by default, a fresh one): a stale listing is safe.
    """
    if objects is None:
        objects = list_stream(blobs, project_id, run_id, stream)
    pyramids = StreamPyramids(blobs, project_id, run_id, stream)
    result = _compact(
        blobs,
        stream,
        objects,
        min_chunks=min_chunks,
        read=read_object,
        merge=merge_rows,
        key_for=lambda coverage: compacted_key(project_id, run_id, stream, coverage),
        before_put=pyramids.write,
    )
    if result.skipped != _MOVED:
        pyramids.settle(objects, parse_compacted(result.key) if result.key else None)
    return result


def compact_logs(blobs: BlobStore, project_id: str, run_id: str, *, min_chunks: int = 1) -> CompactionResult:
    """Compact a run's console output into one file ordered by (attempt, line). Idempotent."""
    prefix = log_prefix(project_id, run_id)
    return _compact(
        blobs,
        LOGS,
        resolve_stream(prefix, blobs.list(prefix)),
        min_chunks=min_chunks,
        read=read_log_object,
        merge=merge_log_lines,
        key_for=lambda coverage: compacted_log_key(project_id, run_id, coverage),
    )


def _compact(
    blobs: BlobStore,
    stream: str,
    objects: StreamObjects,
    *,
    min_chunks: int,
    read: Callable[[BlobStore, BlobInfo], pl.DataFrame],
    merge: Callable[[list[pl.DataFrame]], pl.DataFrame],
    key_for: Callable[[Coverage], str],
    before_put: Callable[[pl.DataFrame, Coverage], object] | None = None,
) -> CompactionResult:
    garbage = list(objects.superseded)
    if len(objects.chunks) < min_chunks and len(objects.compacted) <= 1:
        _delete(blobs, garbage)
        return CompactionResult(stream, None, 0, 0, len(garbage), skipped="not enough new chunks")
    frames: dict[str, pl.DataFrame] = {}
    try:
        for info in objects.objects:
            try:
                frames[info.key] = read(blobs, info)
            except ValueError as exc:
                # Never fold in (or delete) what we cannot read: the chunk stays and readers warn.
                log.warning("compaction leaves a corrupt object in place: %s", exc)
    except NotFound:
        return CompactionResult(stream, None, 0, 0, 0, skipped=_MOVED)
    coverage, taken = _grown_coverage(objects, set(frames))
    inputs = [info for info, _ in objects.compacted if info.key in frames] + taken
    if not inputs or (len(objects.compacted) == 1 and not taken):
        _delete(blobs, garbage)
        return CompactionResult(stream, None, 0, 0, len(garbage), skipped="nothing new to merge")
    merged = merge([frames[info.key] for info in inputs])
    key = key_for(coverage)
    if before_put is not None:
        before_put(merged, coverage)
    blobs.put(key, _parquet(merged), content_type="application/vnd.apache.parquet")
    # Only now, with the merged file in place, may its inputs go.
    retired = [info for info in inputs if info.key != key] + [g for g in garbage if g.key != key]
    _delete(blobs, retired)
    log.info("compacted %s: %d objects into %s (%d rows)", objects.prefix, len(inputs), key, merged.height)
    return CompactionResult(stream, key, merged.height, len(inputs), len(retired))


def _delete(blobs: BlobStore, infos: list[BlobInfo]) -> None:
    for info in infos:
        blobs.delete(info.key)


def compact_run(
    blobs: BlobStore, project_id: str, run_id: str, *, min_chunks: int = 1
) -> list[CompactionResult]:
    """Every metric stream of the run, then its console output."""
    results = [compact_stream(blobs, project_id, run_id, s, min_chunks=min_chunks) for s in STREAMS]
    return [*results, compact_logs(blobs, project_id, run_id, min_chunks=min_chunks)]
