"""Building Parquet chunks (the lake schema, zstd) from drained buffers. Runs on the flusher thread only."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from wanllmdb.ingest.buffer import Drained
from wanllmdb.schema import log_schema, metric_schema, parquet_options

__all__ = ["LogLine", "encode_parquet", "log_table", "metric_table"]

LogLine = tuple[int, int, str, str]  # (line, ts_ms, stream, text)


def metric_table(drained: Drained, *, attempt: int) -> pa.Table:
    schema = metric_schema()
    keys = list(drained.columns)
    row_idx: list[int] = []
    values: list[float] = []
    key_idx: list[int] = []
    for i, key in enumerate(keys):
        rows, vals = drained.columns[key]
        row_idx.extend(rows)
        values.extend(vals)
        key_idx.extend([i] * len(rows))
    take = pa.array(row_idx, type=pa.int64())
    steps = pa.array(drained.steps, type=pa.int64()).take(take)
    ts = pa.array(drained.ts_ms, type=pa.int64()).take(take).cast(pa.timestamp("ms", tz="UTC"))
    n = len(values)
    columns = {
        "step": steps,
        "ts": ts,
        "key": pa.DictionaryArray.from_arrays(
            pa.array(key_idx, type=pa.int32()), pa.array(keys, pa.string())
        ),
        "value": pa.array(values, type=pa.float64()),
        "attempt": pa.array([attempt] * n, type=pa.int32()),
        "ref": pa.nulls(n, type=pa.string()),
    }
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def log_table(lines: Sequence[LogLine], *, attempt: int) -> pa.Table:
    schema = log_schema()
    columns = {
        "line": pa.array([ln[0] for ln in lines], type=pa.int64()),
        "ts": pa.array([ln[1] for ln in lines], type=pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "stream": pa.array([ln[2] for ln in lines], type=pa.string()),
        "text": pa.array([ln[3] for ln in lines], type=pa.string()),
        "attempt": pa.array([attempt] * len(lines), type=pa.int32()),
    }
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def encode_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **parquet_options())
    return sink.getvalue()
