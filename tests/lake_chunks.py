"""Writes metric and log chunks exactly as schemas/lake_schema.json describes them (pyarrow, tests only)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "lake_schema.json"
LAKE = json.loads(SCHEMA_FILE.read_text())

_ARROW = {
    "int64": pa.int64(),
    "int32": pa.int32(),
    "float64": pa.float64(),
    "string": pa.string(),
    "timestamp[ms, tz=UTC]": pa.timestamp("ms", tz="UTC"),
    "dictionary<int32, string>": pa.dictionary(pa.int32(), pa.string()),
}

METRIC_SCHEMA = pa.schema(
    [pa.field(c["name"], _ARROW[c["arrow"]], nullable=c["nullable"]) for c in LAKE["metric_columns"]]
)

LOG_SCHEMA = pa.schema(
    [pa.field(c["name"], _ARROW[c["arrow"]], nullable=c["nullable"]) for c in LAKE["log_columns"]]
)


def log_chunk_bytes(
    first_line: int, texts: Sequence[str], *, attempt: int = 0, stream: str = "stdout"
) -> bytes:
    """Console lines `first_line`, `first_line + 1`, ... as one log chunk."""
    n = len(texts)
    table = pa.table(
        {
            "line": list(range(first_line, first_line + n)),
            "ts": [datetime(2026, 1, 1, tzinfo=UTC)] * n,
            "stream": [stream] * n,
            "text": list(texts),
            "attempt": [attempt] * n,
        },
        schema=LOG_SCHEMA,
    )
    return parquet_bytes(table)


def put_log_chunk(
    blobs: object,
    project: str,
    run: str,
    *,
    seq: int,
    first_line: int,
    texts: Sequence[str],
    attempt: int = 0,
) -> str:
    key = LAKE["layout"]["log_chunk"].format(project=project, run=run, attempt=attempt, seq=seq)
    blobs.put(key, log_chunk_bytes(first_line, texts, attempt=attempt))  # type: ignore[attr-defined]
    return str(key)


def chunk_key(project: str, run: str, stream: str, attempt: int, seq: int) -> str:
    return LAKE["layout"]["metric_chunk"].format(
        project=project, run=run, stream=stream, attempt=attempt, seq=seq
    )


# The metric columns of older schema versions: files in lakes written by older SDKs.
METRIC_SCHEMA_V1 = pa.schema([f for f in METRIC_SCHEMA if f.name not in ("text", "media")])
METRIC_SCHEMA_V2 = pa.schema([f for f in METRIC_SCHEMA if f.name != "media"])


def metric_table(
    steps: Sequence[int],
    values: dict[str, Sequence[float | str | None]],
    *,
    attempt: int = 0,
    ts0_ms: int = 1_700_000_000_000,
    version: int = 3,
) -> pa.Table:
    """Long-format rows: for each step, one row per key (in the dict's order). A str value is text."""
    step_col: list[int] = []
    key_col: list[str] = []
    value_col: list[float | None] = []
    text_col: list[str | None] = []
    for i, step in enumerate(steps):
        for key, series in values.items():
            step_col.append(step)
            key_col.append(key)
            v = series[i]
            value_col.append(None if isinstance(v, str) else v)
            text_col.append(v if isinstance(v, str) else None)
    n = len(step_col)
    columns = {
        "step": pa.array(step_col, pa.int64()),
        "ts": pa.array([ts0_ms + s for s in step_col], pa.timestamp("ms", tz="UTC")),
        "key": pa.array(key_col, pa.string()).dictionary_encode(),
        "value": pa.array(value_col, pa.float64()),
        "attempt": pa.array([attempt] * n, pa.int32()),
        "ref": pa.array([None] * n, pa.string()),
        "text": pa.array(text_col, pa.string()),
        "media": pa.nulls(n, pa.string()),
    }
    if version < 3:
        del columns["media"]
    if version == 1:
        assert all(t is None for t in text_col), "schema version 1 has no text column"
        del columns["text"]
        return pa.table(columns, schema=METRIC_SCHEMA_V1)
    return pa.table(columns, schema=METRIC_SCHEMA if version >= 3 else METRIC_SCHEMA_V2)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression=LAKE["parquet"]["compression"],
        row_group_size=LAKE["parquet"]["row_group_rows"],
    )
    return sink.getvalue()


def put_chunk(
    blobs: object,
    project: str,
    run: str,
    *,
    seq: int,
    steps: Sequence[int],
    values: dict[str, Sequence[float | str | None]],
    attempt: int = 0,
    stream: str = "history",
    version: int = 3,
) -> str:
    key = chunk_key(project, run, stream, attempt, seq)
    table = metric_table(steps, values, attempt=attempt, version=version)
    blobs.put(key, parquet_bytes(table))  # type: ignore[attr-defined]
    return key
