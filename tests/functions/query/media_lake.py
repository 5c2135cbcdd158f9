"""Media rows (lake schema v3: `media` = descriptor JSON, `ref` = object path) written straight into a
lake, for tests of the read side that do not wait on the SDK's media pipeline."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tests.lake_chunks import LAKE, chunk_key

__all__ = ["histogram", "image", "media_chunk", "png_bytes", "put_media_chunk"]

SCHEMA_V3 = pa.schema(
    [
        pa.field("step", pa.int64(), nullable=False),
        pa.field("ts", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("key", pa.dictionary(pa.int32(), pa.string()), nullable=False),
        pa.field("value", pa.float64()),
        pa.field("attempt", pa.int32(), nullable=False),
        pa.field("ref", pa.string()),
        pa.field("text", pa.string()),
        pa.field("media", pa.string()),
    ]
)


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def image(
    key: str, step: int, data: bytes, *, caption: str | None = None, **extra: Any
) -> tuple[dict[str, Any], bytes]:
    sha = hashlib.sha256(data).hexdigest()
    path = f"image/{key.replace('/', '.')}_{step}_{sha[:20]}.png"
    width, height = struct.unpack(">II", data[16:24])
    descriptor = {"_type": "image-file", "path": path, "sha256": sha, "size": len(data), "width": width,
                  "height": height, "format": "png", "caption": caption, **extra}  # fmt: skip
    return descriptor, data


def histogram(counts: Sequence[float], lo: float = 0.0, hi: float = 1.0) -> dict[str, Any]:
    n = len(counts)
    bins = [lo + (hi - lo) * i / n for i in range(n + 1)]
    return {
        "_type": "histogram",
        "bins": bins,
        "values": list(counts),
        "nonfinite": {"nan": 0, "inf": 0, "-inf": 0},
    }


def media_chunk(rows: Sequence[tuple[int, str, dict[str, Any] | float]], *, attempt: int = 0) -> bytes:
    """Rows of (step, key, descriptor or scalar value) as one v3 chunk."""
    media = [json.dumps(r[2], separators=(",", ":")) if isinstance(r[2], dict) else None for r in rows]
    refs = [
        r[2].get("path") if isinstance(r[2], dict) and r[2]["_type"] != "histogram" else None for r in rows
    ]
    table = pa.table(
        {
            "step": pa.array([r[0] for r in rows], pa.int64()),
            "ts": pa.array([1_700_000_000_000 + r[0] for r in rows], pa.timestamp("ms", tz="UTC")),
            "key": pa.array([r[1] for r in rows], pa.string()).dictionary_encode(),
            "value": pa.array([None if isinstance(r[2], dict) else r[2] for r in rows], pa.float64()),
            "attempt": pa.array([attempt] * len(rows), pa.int32()),
            "ref": pa.array(refs, pa.string()),
            "text": pa.nulls(len(rows), pa.string()),
            "media": pa.array(media, pa.string()),
        },
        schema=SCHEMA_V3,
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression=LAKE["parquet"]["compression"])
    return sink.getvalue()


def put_media_chunk(
    blobs: Any, project: str, run: str, rows: Sequence[tuple[int, str, dict[str, Any] | float]], *, seq: int,
    attempt: int = 0, files: Sequence[tuple[str, bytes]] = ()
) -> str:  # fmt: skip
    """The chunk, plus each (path, bytes) media object under the run's media prefix."""
    for path, data in files:
        blobs.put(LAKE["layout"]["media"].format(project=project, run=run, path=path), data)
    key = chunk_key(project, run, "history", attempt, seq)
    blobs.put(key, media_chunk(rows, attempt=attempt))
    return key
