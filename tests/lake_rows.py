"""Counting a run's rows in the lake as a reader sees them, through any BlobStore (local or S3 on moto):
the visible set (newest compacted files plus the chunks they do not cover), every (step, key) counted,
so a test can say "0 lost, 0 duplicated" of the lake itself. Used by the faults-at-scale tests and
benchmarks/scale.py."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

import pyarrow.parquet as pq

from wanllmdb_functions.core.errors import NotFound
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports.blob_store import BlobStore

__all__ = ["LakeCount", "count_rows"]


@dataclass(frozen=True)
class LakeCount:
    rows: int  # rows read from the visible objects, before any de-duplication
    cells: Counter[tuple[int, str]]  # (step, key) -> how many visible rows hold it
    objects: int
    chunks: int  # visible objects that are chunks (not yet compacted)

    @property
    def distinct(self) -> int:
        return len(self.cells)

    @property
    def duplicated(self) -> int:
        return sum(n - 1 for n in self.cells.values() if n > 1)

    def lost(self, steps: range, keys: list[str]) -> int:
        return sum(1 for step in steps for key in keys if (step, key) not in self.cells)


def count_rows(blobs: BlobStore, project_id: str, run_id: str, stream: str = "history") -> LakeCount:
    """One listing, then each object read; a compaction that replaced an object meanwhile means the
    listing is taken again (as the query service does)."""
    for _ in range(10):
        visible = list_stream(blobs, project_id, run_id, stream)
        cells: Counter[tuple[int, str]] = Counter()
        rows = 0
        try:
            for info in visible.objects:
                table = pq.read_table(io.BytesIO(blobs.get(info.key)), columns=["step", "key"])
                rows += table.num_rows
                cells.update(zip(table["step"].to_pylist(), map(str, table["key"].to_pylist()), strict=True))
        except NotFound:
            continue
        return LakeCount(rows, cells, len(visible.objects), len(visible.chunks))
    raise AssertionError(f"the lake of run {run_id} kept changing while it was read")
