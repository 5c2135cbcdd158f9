"""Lake schema version 3's `media` column between the SDK's writer and the server's reader: a chunk the SDK
wrote reads back with its descriptors and refs, and a file written before version 3 reads `media` as null."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from tests.lake_chunks import chunk_key, put_chunk
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.ingest.chunk import encode_parquet, metric_table
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.lake.reader import read_stream, scan_object
from wanllmdb_functions.lake.schema import METRIC_COLUMNS


def blob_store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "lake", work_dir=tmp_path / "work", signer=UrlSigner(b"k" * 32, "x"))


def sdk_chunk() -> bytes:
    """What the SDK writes for a step with a scalar, a string, an image and an inline histogram."""
    buffer = MetricBuffer()
    buffer.add(4, 1_700_000_000_000, {"loss": 0.5, "phase": "eval"})
    image = {"_type": "image-file", "path": "image/img_4_abc.png", "sha256": "ab" * 32, "size": 3}
    hist = {"_type": "histogram", "bins": [0, 1], "values": [2]}
    buffer.add_media_rows(
        [
            (4, 1_700_000_000_001, "img", json.dumps(image), "image/img_4_abc.png"),
            (4, 1_700_000_000_001, "hist", json.dumps(hist), None),
        ]
    )
    drained = buffer.drain()
    assert drained is not None
    return encode_parquet(metric_table(drained, attempt=0)).to_pybytes()


def rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    key = pl.col("key").cast(pl.String)
    return frame.sort("step", "key").select("step", key, "value", "text", "media", "ref").rows()


def test_the_server_reads_sdk_media_rows_next_to_a_version_2_file(tmp_path: Path) -> None:
    blobs = blob_store(tmp_path)
    put_chunk(blobs, "p", "r", seq=0, steps=[0], values={"loss": [1.0], "phase": ["train"]}, version=2)
    blobs.put(chunk_key("p", "r", "history", 0, 1), sdk_chunk())
    for columns in (None, ("step", "key", "value", "attempt", "text", "media", "ref")):
        frame = read_stream(blobs, "p", "r", "history", columns=columns).frame
        assert rows(frame) == [
            (0, "loss", 1.0, None, None, None),
            (0, "phase", None, "train", None, None),
            (4, "hist", None, None, '{"_type": "histogram", "bins": [0, 1], "values": [2]}', None),
            (4, "img", None, None, json.dumps({"_type": "image-file", "path": "image/img_4_abc.png",
                                                "sha256": "ab" * 32, "size": 3}), "image/img_4_abc.png"),
            (4, "loss", 0.5, None, None, None),
            (4, "phase", None, "eval", None, None),
        ]  # fmt: skip


def test_a_lazy_scan_of_a_version_2_file_has_a_null_media_column(tmp_path: Path) -> None:
    blobs = blob_store(tmp_path)
    key = put_chunk(blobs, "p", "r", seq=0, steps=[0, 1], values={"loss": [1.0, 0.5]}, version=2)
    frame = scan_object(str(tmp_path / "lake" / key)).collect()
    assert frame.columns == list(METRIC_COLUMNS)
    assert frame.get_column("media").to_list() == [None, None]
