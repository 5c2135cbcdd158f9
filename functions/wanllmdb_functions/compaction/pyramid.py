"""Keeps each compacted metric file's level-of-detail pyramid (lake/lod.py) beside it.

- Written before the compacted file it summarises, so a reader that sees a compacted file finds its
  pyramid (or, if that write failed, reads raw rows as before). The key is named by the same coverage
  and its rows are a function of the compacted rows, so a repeated compaction rewrites the same rows.
- Pyramids of compacted files the current one dominates go once the inputs are gone, like the files.
  One a racing compaction wrote for a coverage the current one does not dominate stays, as its
  compacted file does.
- A stream whose compacted file has none (compacted before pyramids existed, or the write failed)
  gets one on its next compaction, even when there is nothing new to merge.
"""

from __future__ import annotations

import logging

import polars as pl

from ..core.errors import NotFound
from ..lake.keys import Coverage, lod_key, lod_prefix, parse_lod
from ..lake.lod import build_lod, lod_bytes, media_keys_of
from ..lake.reader import read_object
from ..lake.visible import StreamObjects
from ..ports.blob_store import BlobStore

__all__ = ["StreamPyramids"]

log = logging.getLogger(__name__)


class StreamPyramids:
    def __init__(self, blobs: BlobStore, project_id: str, run_id: str, stream: str) -> None:
        self.blobs = blobs
        self.project_id = project_id
        self.run_id = run_id
        self.stream = stream

    def key(self, coverage: Coverage) -> str:
        return lod_key(self.project_id, self.run_id, self.stream, coverage)

    def write(self, rows: pl.DataFrame, coverage: Coverage) -> str:
        """The pyramid of the compacted file `coverage` names, whose rows are `rows`."""
        frame, last_steps = build_lod(rows)
        key = self.key(coverage)
        data = lod_bytes(frame, last_steps, media_keys_of(rows))
        self.blobs.put(key, data, content_type="application/vnd.apache.parquet")
        return key

    def settle(self, objects: StreamObjects, current: Coverage | None) -> None:
        """After a compaction: delete the pyramids `current` dominates; and when `current` is None (nothing
        was merged), give the stream's one compacted file its pyramid if it lacks one."""
        found = {}
        for info in self.blobs.list(lod_prefix(self.project_id, self.run_id, self.stream)):
            coverage = parse_lod(info.key)
            if coverage is not None:
                found[info.key] = coverage
        if current is None and len(objects.compacted) == 1:
            info, coverage = objects.compacted[0]
            if self.key(coverage) not in found:
                try:
                    self.write(read_object(self.blobs, info), coverage)
                except (NotFound, ValueError) as exc:  # moved by a concurrent compaction, or corrupt
                    log.warning("no pyramid for %s: %s", info.key, exc)
                    return
            current = coverage
        if current is None:
            return
        for key, coverage in found.items():
            if coverage.high != current.high and current.dominates(coverage):
                self.blobs.delete(key)
