"""Console-output compaction on both blob backends: merged in (attempt, line) order, gaps respected."""

from __future__ import annotations

from tests.lake_chunks import put_log_chunk
from wanllmdb_functions.compaction.compactor import compact_logs
from wanllmdb_functions.lake.keys import log_prefix
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.query.catalog import RunRecord
from wanllmdb_functions.query.logs import read_logs

P, R = "p1", "r1"


def _put_lines(blobs: BlobStore, *, attempt: int, seq: int, first: int, texts: list[str]) -> None:
    put_log_chunk(blobs, P, R, seq=seq, first_line=first, texts=texts, attempt=attempt)


def _texts(blobs: BlobStore) -> list[str]:
    record = RunRecord(id=R, project_id=P, state="finished", attempt=1)
    return [line.text for line in read_logs(blobs, record, limit=100).lines]


def test_logs_merge_across_attempts_and_a_late_chunk_is_never_hidden(blobs: BlobStore) -> None:
    _put_lines(blobs, attempt=0, seq=0, first=0, texts=["a", "b"])
    _put_lines(blobs, attempt=0, seq=0, first=0, texts=["a", "b"])  # a retried upload
    _put_lines(blobs, attempt=0, seq=2, first=4, texts=["e"])  # seq 1 is still on its way
    _put_lines(blobs, attempt=1, seq=0, first=0, texts=["resumed"])
    before = _texts(blobs)
    assert before == ["a", "b", "e", "resumed"]

    result = compact_logs(blobs, P, R)
    assert result.key is not None and result.key.endswith("compact-a0000s000000000-a0001s000000000.parquet")
    names = sorted(info.key.rsplit("/", 1)[1] for info in blobs.list(log_prefix(P, R)))
    # The chunk after the gap stays a chunk, so nothing it holds can be hidden.
    assert names == ["chunk-a0000-000000002.parquet", "compact-a0000s000000000-a0001s000000000.parquet"]
    assert _texts(blobs) == before

    _put_lines(blobs, attempt=0, seq=1, first=2, texts=["c", "d"])  # the late chunk lands
    assert compact_logs(blobs, P, R).key.endswith("compact-a0000s000000002-a0001s000000000.parquet")  # type: ignore[union-attr]
    assert _texts(blobs) == ["a", "b", "c", "d", "e", "resumed"]
    assert compact_logs(blobs, P, R).key is None  # nothing new: idempotent
