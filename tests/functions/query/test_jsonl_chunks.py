"""Gzip JSON-lines chunks (schemas/jsonl_chunk.schema.json): read, queried and compacted like Parquet ones."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.lake_chunks import put_chunk, put_log_chunk
from wanllmdb_functions.compaction.compactor import compact_logs, compact_stream
from wanllmdb_functions.lake import jsonl
from wanllmdb_functions.lake.keys import ChunkName, chunk_format, chunk_key, parse_chunk, upload_chunk_key
from wanllmdb_functions.lake.reader import read_stream
from wanllmdb_functions.lake.schema import METRIC_SCHEMA, conform_metrics
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.ports.blob_store import BlobInfo
from wanllmdb_functions.query.catalog import metrics_table
from wanllmdb_functions.query.logs import read_log_object

P, R = "proj1", "run1"
SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "schemas" / "jsonl_chunk.schema.json").read_text())


def jsonl_bytes(rows: list[dict[str, Any]]) -> bytes:
    return gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())


def metric_rows(steps: range, keys: list[str], *, attempt: int = 0) -> list[dict[str, Any]]:
    return [
        {"step": s, "ts": 1_767_225_600_000 + s, "key": k, "value": s + i / 10, "attempt": attempt}
        for s in steps
        for i, k in enumerate(keys)
    ]


def _info(key: str) -> BlobInfo:
    return BlobInfo(key=key, size=0, etag="", last_modified=datetime.now(UTC))


def put_jsonl(blobs: BlobStore, seq: int, rows: list[dict[str, Any]], *, attempt: int = 0) -> str:
    key = chunk_key(P, R, "history", attempt=attempt, seq=seq, fmt="jsonl")
    blobs.put(key, jsonl_bytes(rows), content_type="application/gzip")
    return key


def test_jsonl_chunk_keys_share_the_parquet_naming() -> None:
    key = upload_chunk_key("history", project=P, run=R, attempt=1, seq=7, fmt="jsonl")
    assert key == f"metrics/project={P}/run={R}/stream=history/_chunk-a0001-000000007.jsonl.gz"
    assert parse_chunk(key) == ChunkName(1, 7) and chunk_format(key) == "jsonl"
    log_key = upload_chunk_key("logs", project=P, run=R, attempt=0, seq=2, fmt="jsonl")
    assert log_key == f"logs/project={P}/run={R}/_chunk-a0000-000000002.jsonl.gz"
    parquet_key = key.replace("/_chunk-", "/chunk-").replace(".jsonl.gz", ".parquet")
    assert chunk_format(parquet_key) == "parquet"
    assert chunk_format(key.replace(".jsonl.gz", ".json")) is None
    # The underscore belongs to the format: Athena skips `_` names, so a JSONL chunk must carry it and
    # a Parquet one must not, or a reader would open one as the other.
    assert chunk_format(key.replace("/_chunk-", "/chunk-")) is None
    assert chunk_format(parquet_key.replace("/chunk-", "/_chunk-")) is None
    assert parse_chunk(key.replace("/_chunk-", "/chunk-")) is None


def test_schema_examples_validate_and_a_bad_row_does_not() -> None:
    for example in SCHEMA["examples"]:
        jsonschema.validate(example, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"step": 0, "ts": 0, "key": "x", "value": "nan", "attempt": 0}, SCHEMA)


def test_jsonl_and_parquet_chunks_of_one_run_read_and_compact_to_exact_rows(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1, 2], values={"loss": [1.0, 2.0, 3.0], "acc": [0.1, 0.2, 0.3]})
    special = [
        {"step": 5, "ts": 1_767_225_600_005, "key": "loss", "value": "NaN", "attempt": 0},
        {"step": 5, "ts": 1_767_225_600_005, "key": "inf", "value": "-Infinity", "attempt": 0},
        {"step": 5, "ts": 1_767_225_600_005, "key": "phase", "value": None, "text": "eval", "attempt": 0},
    ]
    put_jsonl(blobs, 1, metric_rows(range(3, 5), [f"k{i}" for i in range(10)]) + special)
    live = read_stream(blobs, P, R, "history")
    assert live.frame.height == 6 + 20 + 3 and live.warnings == []
    lazy = "://" not in blobs.location("").uri  # Polars scans a local lake itself, not moto's S3
    table, warnings = metrics_table(blobs, [P], lazy=lazy)
    assert table.collect().height == 29 and warnings == []

    result = compact_stream(blobs, P, R, "history")
    assert result.key and result.key.endswith("compact-a0000s000000001.parquet") and result.rows == 29
    assert [i.key for i in blobs.list(f"metrics/project={P}/run={R}/")] == [result.key]
    merged = pl.read_parquet(blobs.get(result.key))
    assert merged.filter(pl.col("step") == 5).sort("key").select(
        pl.col("key").cast(pl.String), "value", "text"
    ).rows() == [("inf", float("-inf"), None), ("loss", pytest.approx(float("nan"), nan_ok=True), None),
                 ("phase", None, "eval")]  # fmt: skip
    k3 = merged.filter((pl.col("key").cast(pl.String) == "k3") & (pl.col("step") == 4))
    assert k3["value"].to_list() == [4.3] and k3["ts"].dt.epoch("ms").to_list() == [1_767_225_600_004]


def test_a_resent_jsonl_chunk_overwrites_itself_and_adds_no_rows(blobs: BlobStore) -> None:
    rows = metric_rows(range(0, 4), ["loss", "lr"])
    key = put_jsonl(blobs, 0, rows)
    assert put_jsonl(blobs, 0, rows) == key  # a retried PUT: the same key, the same bytes
    put_jsonl(blobs, 1, metric_rows(range(4, 6), ["loss", "lr"]))
    assert len(list_stream(blobs, P, R, "history").chunks) == 2
    assert read_stream(blobs, P, R, "history").frame.height == 12
    assert compact_stream(blobs, P, R, "history").rows == 12
    put_jsonl(blobs, 1, metric_rows(range(4, 6), ["loss", "lr"]))  # late re-send of a compacted chunk
    assert read_stream(blobs, P, R, "history").frame.height == 12
    assert compact_stream(blobs, P, R, "history").key is None
    assert read_stream(blobs, P, R, "history").frame.height == 12


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (jsonl_bytes(metric_rows(range(0, 50), ["loss"]))[:-20], "truncated gzip stream"),
        (b"\x1f\x8b\x08\x00garbage", "truncated gzip stream"),
        (b"plain text, not gzip", "not gzip data"),
        (jsonl_bytes([{"step": 0, "ts": 0, "key": "loss", "value": 1, "attempt": 0}, {"step": "1"}]),
         "line 2: step must be an integer"),
        (gzip.compress(b'{"step": 0, "ts": 0, "key": "loss"'), "line 1: Expecting"),
        (jsonl_bytes([{"step": 0, "ts": 0, "key": "loss", "value": "nan", "attempt": 0}]),
         "line 1: value must be a number, null, or one of 'NaN'"),
        (gzip.compress(b"\n\n"), "no rows"),
    ],
)  # fmt: skip
def test_a_bad_jsonl_chunk_is_skipped_with_a_warning_and_left_out_of_compaction(
    blobs: BlobStore, data: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1], values={"loss": [1.0, 2.0]})
    bad = chunk_key(P, R, "history", attempt=0, seq=1, fmt="jsonl")
    blobs.put(bad, data)
    put_jsonl(blobs, 2, metric_rows(range(5, 6), ["loss"]))
    read = read_stream(blobs, P, R, "history")
    assert read.frame.height == 3 and read.warnings == [f"skipped corrupt object {bad}"]
    assert f"{bad}: not a readable gzip JSON-lines chunk: {reason}" in caplog.text
    # Coverage stops at the bad chunk: seq 0 is compacted, the bad one and seq 2 stay as they are.
    result = compact_stream(blobs, P, R, "history")
    assert result.key and result.key.endswith("compact-a0000s000000000.parquet") and result.rows == 2
    assert bad in [i.key for i in blobs.list(f"metrics/project={P}/run={R}/")]
    assert read_stream(blobs, P, R, "history").frame.height == 3


def test_jsonl_log_chunks_read_and_compact_beside_parquet_ones(blobs: BlobStore) -> None:
    put_log_chunk(blobs, P, R, seq=0, first_line=0, texts=["a", "b"])
    key = upload_chunk_key("logs", project=P, run=R, attempt=0, seq=1, fmt="jsonl")
    lines = [
        {"line": n, "ts": 1_767_225_600_000, "stream": "stderr", "text": f"l{n}", "attempt": 0}
        for n in (2, 3, 4)
    ]
    blobs.put(key, jsonl_bytes(lines))
    frame = read_log_object(blobs, _info(key))
    assert frame["text"].to_list() == ["l2", "l3", "l4"]
    result = compact_logs(blobs, P, R)
    assert result.rows == 5
    merged = pl.read_parquet(blobs.get(str(result.key)))
    assert merged["text"].to_list() == ["a", "b", "l2", "l3", "l4"]
    blobs.put(
        key.replace("000000001", "000000002"),
        jsonl_bytes([{"line": 5, "ts": 0, "stream": "tty", "text": "x", "attempt": 0}]),
    )
    with pytest.raises(ValueError, match=r"stream must be 'stdout' or 'stderr'"):
        read_log_object(blobs, _info(key.replace("000000001", "000000002")))


def test_the_fast_and_the_line_by_line_decoders_agree() -> None:
    rows = [
        *metric_rows(range(0, 3), ["loss", "acc"]),
        {"step": 3, "ts": 5, "key": "x", "value": "NaN", "attempt": 1},
        {"step": 3, "ts": 5, "key": "y", "value": "-Infinity", "attempt": 1},
        {"step": 3, "ts": 5, "key": "z", "value": 1e308, "attempt": 1, "unknown": [1, 2]},
        {"step": 4, "ts": 6, "key": "phase", "value": None, "text": "eval", "attempt": 1},
        {"step": 4, "ts": 6, "key": "img", "ref": "media/a.png", "media": '{"type":"image"}', "attempt": 1},
    ]
    text = gzip.decompress(jsonl_bytes(rows))
    fast = jsonl._fast_metrics(text)
    assert fast is not None, "a well-formed chunk takes the fast path"
    slow = conform_metrics(jsonl._frame(jsonl._rows(text, jsonl._metric_row), METRIC_SCHEMA))
    assert fast.height == slow.height == 11
    assert_frame_equal(fast, slow)
    # Anything the fast path does not accept goes to the line-by-line decoder, which names the line.
    assert jsonl._fast_metrics(gzip.decompress(jsonl_bytes([{**rows[0], "value": True}]))) is None
    assert jsonl._fast_metrics(gzip.decompress(jsonl_bytes([{**rows[0], "attempt": 10_000}]))) is None
    logs = [{"line": n, "ts": 7, "stream": "stdout", "text": f"l{n}", "attempt": 0} for n in range(3)]
    log_text = gzip.decompress(jsonl_bytes(logs))
    fast_logs = jsonl._fast_logs(log_text)
    assert fast_logs is not None
    assert_frame_equal(fast_logs, jsonl._frame(jsonl._rows(log_text, jsonl._log_row), jsonl.LOG_SCHEMA))
