"""The uploader against a blob store that answers 503 SlowDown to 10% of PUTs (issue 22, part 1): a PUT is
retried on its grant, and a batch retried after a failure sends only what is still missing. Sending the
whole batch again (as before) meant a batch of 100 had a 0.9**100 chance of going through: never."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader
from wanllmdb.rest import Transient

CHUNKS = 100


class SlowDownStore:
    """Grants everything; refuses 10% of PUTs with a 503, as S3 does when it throttles a prefix."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rate = rate
        self.grant_calls = 0
        self.puts = 0
        self.refused = 0
        self.stored: dict[str, bytes] = {}

    def grant_uploads(self, run_id: str, items: list[dict[str, Any]], **_: Any) -> list[dict[str, Any]]:
        self.grant_calls += 1
        return [{"url": "http://s3.test/x", "key": f"chunk-{item['seq']}"} for item in items]

    def put_blob(self, grant: dict[str, Any], source: BinaryIO, *, size: int) -> None:
        self.puts += 1
        if self.rng.random() < self.rate:
            self.refused += 1
            raise Transient("HTTP 503 from /lake/chunk (SlowDown)")
        source.seek(0)
        self.stored[grant["key"]] = source.read()


def spool(path: Path) -> RunDir:
    rd = RunDir.create(path)
    rd.write_record({"id": "r1", "project_id": "p1"})
    for seq in range(CHUNKS):
        rd.write_chunk("history", 0, seq, f"PAR1 chunk {seq}".encode())
    return rd


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_of_100_gets_through_10_percent_slowdowns(tmp_path: Path, seed: int) -> None:
    rd = spool(tmp_path / "run")
    store = SlowDownStore(0.10, seed)
    uploader = SpoolUploader(rd, store, batch=100, max_backoff_s=0.01)  # type: ignore[arg-type]
    assert uploader.drain(deadline=time.monotonic() + 30) is True
    assert store.refused > 0
    assert sorted(store.stored) == sorted(f"chunk-{seq}" for seq in range(CHUNKS))
    assert store.puts == CHUNKS + store.refused, "a PUT that landed was sent again"
    assert store.grant_calls <= 2, "each refused PUT was retried on its grant first"
    assert RunDir(rd.path).done()[1] == set(rd.chunk_names())


def test_a_store_that_keeps_refusing_sends_only_the_missing_items_on_each_batch_retry(tmp_path: Path) -> None:
    rd = spool(tmp_path / "run")
    store = SlowDownStore(0.5, 7)  # half of all PUTs: some exhaust their tries on one grant
    uploader = SpoolUploader(rd, store, batch=100, max_backoff_s=0.01)  # type: ignore[arg-type]
    assert uploader.drain(deadline=time.monotonic() + 60) is True
    assert store.grant_calls > 1
    assert store.puts == CHUNKS + store.refused
    assert len(store.stored) == CHUNKS
