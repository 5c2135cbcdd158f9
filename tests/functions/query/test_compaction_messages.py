"""Which SQS message bodies the compaction Lambda acts on: EventBridge "Object Created" events (what
the CDK rule forwards), classic S3 notifications and run-finished notices; anything else is a no-op."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.lake_chunks import put_chunk
from wanllmdb_functions.compaction.jobs import compact_for_message
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports import BlobStore

EVENTBRIDGE = Path(__file__).parents[2] / "e2e" / "events" / "eventbridge_s3_object_created.json"


def _eventbridge(key: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(EVENTBRIDGE.read_text())
    event["detail"]["object"]["key"] = key
    event.update(changes)
    return event


def _two_chunks(blobs: BlobStore, run: str) -> list[str]:
    return [
        put_chunk(blobs, "p1", run, seq=seq, steps=[seq], values={"loss": [float(seq)]}) for seq in range(2)
    ]


@pytest.mark.parametrize("encode", [False, True], ids=["plain-key", "url-encoded-key"])
def test_eventbridge_object_created_compacts_the_stream(blobs: BlobStore, encode: bool) -> None:
    key = _two_chunks(blobs, "r1")[-1]
    body = _eventbridge(quote(key, safe="/") if encode else key)
    results = compact_for_message(blobs, body, every_chunks=2)
    assert [r.key is not None for r in results] == [True]
    listing = list_stream(blobs, "p1", "r1", "history")
    assert [c.high for _, c in listing.compacted] == [{0: 1}] and listing.chunks == []


def test_eventbridge_events_of_other_kinds_do_nothing(blobs: BlobStore) -> None:
    key = _two_chunks(blobs, "r2")[-1]
    for body in (
        _eventbridge(key, **{"detail-type": "Object Deleted"}),
        _eventbridge(key, source="aws.events"),
        _eventbridge("files/project=p1/run=r2/ckpt.bin"),
        {"detail-type": "Object Created", "source": "aws.s3", "detail": "not an object"},
    ):
        assert compact_for_message(blobs, body, every_chunks=2) == []
    assert len(list_stream(blobs, "p1", "r2", "history").chunks) == 2


def test_below_the_chunk_threshold_the_stream_waits(blobs: BlobStore) -> None:
    key = _two_chunks(blobs, "r3")[-1]
    assert all(r.key is None for r in compact_for_message(blobs, _eventbridge(key), every_chunks=3))
    assert len(list_stream(blobs, "p1", "r3", "history").chunks) == 2


def test_a_log_chunk_event_compacts_the_runs_console_output(blobs: BlobStore) -> None:
    from tests.lake_chunks import put_log_chunk
    from wanllmdb_functions.lake.keys import log_prefix

    for seq in range(2):
        put_log_chunk(blobs, "p1", "r1", seq=seq, first_line=seq, texts=[f"line {seq}"])
    key = f"{log_prefix('p1', 'r1')}chunk-a0000-000000001.parquet"
    results = compact_for_message(blobs, _eventbridge(key), every_chunks=2)
    assert [(r.stream, r.key is not None) for r in results] == [("logs", True)]
    names = [info.key.rsplit("/", 1)[1] for info in blobs.list(log_prefix("p1", "r1"))]
    assert names == ["compact-a0000s000000001.parquet"]
