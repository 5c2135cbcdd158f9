"""A chunk damaged in the spool (issue 22, part 4) is caught by the checksum recorded when it was written,
moved to quarantine/ with a message naming it, and never uploaded.

Parquet's own checks are not enough: a file cut short loses its footer and fails to open, but a damaged
range in the middle (zeros from a crash, a flipped bit) opens and reads wrong values
(``test_parquet_reads_damage_in_the_middle_without_complaint`` shows it)."""

from __future__ import annotations

import io
import logging
from collections import Counter
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow.parquet as pq
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, lake_table, run_sync, sdk_env
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.ingest.chunk import encode_parquet, metric_table
from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader


def chunk_bytes(first_step: int, steps: int = 200, keys: int = 5) -> bytes:
    buffer = MetricBuffer()
    for step in range(first_step, first_step + steps):
        buffer.add(step, 1_700_000_000_000 + step, {f"k{i}": step * 1.5 + i for i in range(keys)})
    drained = buffer.drain()
    assert drained is not None
    return bytes(encode_parquet(metric_table(drained, attempt=0)))


class RecordingClient:
    def __init__(self) -> None:
        self.granted: list[dict[str, Any]] = []
        self.put: list[str] = []

    def grant_uploads(self, run_id: str, items: list[dict[str, Any]], **_: Any) -> list[dict[str, Any]]:
        self.granted += items
        return [{"url": f"http://blobs.test/{i}", "key": f"k{item['seq']}"} for i, item in enumerate(items)]

    def put_blob(self, grant: dict[str, Any], source: BinaryIO, *, size: int) -> None:
        self.put.append(grant["key"])


def spool_with_chunks(path: Path, count: int) -> RunDir:
    rd = RunDir.create(path)
    rd.write_record({"id": "r1", "project_id": "p1"})
    for seq in range(count):
        rd.write_chunk("history", 0, seq, chunk_bytes(seq * 200))
    return rd


def test_truncated_and_damaged_chunks_are_quarantined_and_never_uploaded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wanllmdb")
    rd = spool_with_chunks(tmp_path / "run", 4)
    truncated = rd.chunks / "history-a0000-000000001.parquet"
    truncated.write_bytes(truncated.read_bytes()[:-100])
    damaged = rd.chunks / "history-a0000-000000002.parquet"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 512] = bytes(512)  # same size, zeros in the middle
    damaged.write_bytes(bytes(data))

    client = RecordingClient()
    # A fresh RunDir, as `wanllmdb sync` opens it: the checksums come from checksums.jsonl.
    uploader = SpoolUploader(RunDir(rd.path), client)  # type: ignore[arg-type]
    assert uploader.drain() is True
    assert sorted(item["seq"] for item in client.granted) == [0, 3], "a damaged chunk was granted"
    assert sorted(client.put) == ["k0", "k3"]
    assert sorted(p.name for p in (rd.path / "quarantine").iterdir()) == [truncated.name, damaged.name]
    assert rd.chunk_names() == ["history-a0000-000000000.parquet", "history-a0000-000000003.parquet"]
    messages = [r.getMessage() for r in caplog.records if "is damaged" in r.getMessage()]
    assert len(messages) == 2
    assert any(str(truncated) in m and "quarantine" in m and "not uploaded" in m for m in messages)
    assert any(str(damaged) in m for m in messages)
    # Nothing is left pending, and a second drain finds nothing to quarantine or send.
    assert uploader.pending_count() == 0 and uploader.drain() is True and len(client.put) == 2


def test_a_spool_from_before_checksums_is_sent_as_it_is(tmp_path: Path) -> None:
    rd = spool_with_chunks(tmp_path / "run", 2)
    (rd.path / "checksums.jsonl").unlink()
    client = RecordingClient()
    assert SpoolUploader(RunDir(rd.path), client).drain() is True  # type: ignore[arg-type]
    assert sorted(client.put) == ["k0", "k1"]


def test_a_torn_checksum_line_is_read_once_it_is_whole(tmp_path: Path) -> None:
    rd = spool_with_chunks(tmp_path / "run", 1)
    reader = RunDir(rd.path)
    with (rd.path / "checksums.jsonl").open("a") as f:
        f.write('{"chunk": "history-a0000-000000001.parquet", "sha')
    assert reader.chunk_checksum("history-a0000-000000001.parquet") is None
    with (rd.path / "checksums.jsonl").open("a") as f:
        f.write('256": "ab", "size": 3}\n')
    assert reader.chunk_checksum("history-a0000-000000001.parquet") == ("ab", 3)
    assert reader.chunk_checksum("history-a0000-000000000.parquet") is not None


def test_parquet_reads_damage_in_the_middle_without_complaint() -> None:
    data = chunk_bytes(0)
    with pytest.raises(Exception, match="magic bytes"):
        pq.read_table(io.BytesIO(data[:-100]))  # cut short: the footer catches it
    damaged = bytearray(data)
    damaged[len(data) // 2] ^= 0xFF
    table = pq.read_table(io.BytesIO(bytes(damaged)))  # opens, reads, and is wrong
    assert table.num_rows == 1000 and not table.equals(pq.read_table(io.BytesIO(data)))


@pytest.mark.slow
def test_sync_of_a_spool_with_a_truncated_chunk_puts_only_whole_chunks_in_the_lake(
    module_server: LocalServer, tmp_path: Path
) -> None:
    settings = {
        "flush_interval_s": 3600,
        "flush_max_values": 10**9,
        "system_metrics": False,
        "console": "off",
    }
    run = wanllmdb.init(mode="offline", dir=tmp_path, project="checksums", settings=settings)
    assert run._pipeline is not None
    for block in range(3):
        for step in range(block * 100, (block + 1) * 100):
            run.log({f"k{i}": float(step + i) for i in range(5)}, step=step)
        run._pipeline.flush_once()
    run.finish()
    run_dir = Path(run.dir or "")
    middle = run_dir / "chunks" / "history-a0000-000000001.parquet"
    middle.write_bytes(middle.read_bytes()[: middle.stat().st_size // 2])

    env = sdk_env(module_server.url, admin_key(module_server.data_dir), tmp_path)
    done = run_sync(env, run_dir)
    assert str(middle) in done.stderr and "quarantine" in done.stderr
    assert (run_dir / "quarantine" / middle.name).is_file()
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None and table.num_rows == 2 * 100 * 5
    steps = Counter(table["step"].to_pylist())
    assert sorted(steps) == [*range(0, 100), *range(200, 300)] and set(steps.values()) == {5}
