"""Building Parquet chunks (the lake schema, zstd) from drained buffers. Runs on the flusher thread only."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from wanllmdb.ingest.buffer import Drained
from wanllmdb.schema import log_schema, metric_schema, parquet_options

__all__ = ["LogLine", "encode_parquet", "log_table", "metric_table", "write_parquet"]

LogLine = tuple[int, int, str, str]  # (line, ts_ms, stream, text)


def _pool() -> pa.MemoryPool:
    # The system allocator, not pyarrow's default (mimalloc): mimalloc keeps freed pages in the
    # flusher thread's heap, which measured ~25 MB of extra RSS over 1M steps; malloc_trim frees these.
    return pa.system_memory_pool()


def metric_table(drained: Drained, *, attempt: int) -> pa.Table:
    """Long-format rows, one Arrow array per key, concatenated: no Python loop over values.

    Most keys appear in every row, so their row indices are the identity and the shared step and ts
    arrays are reused as they are; only sparse keys pay for a ``take``.
    """
    schema = metric_schema()
    pool = _pool()
    ts_type = pa.timestamp("ms", tz="UTC")
    nrows = len(drained.steps)
    steps_all = pa.array(drained.steps, type=pa.int64(), memory_pool=pool)
    ts_all = pc.cast(pa.array(drained.ts_ms, type=pa.int64(), memory_pool=pool), ts_type, memory_pool=pool)
    identity = list(range(nrows))
    keys = list(drained.columns)
    steps: list[pa.Array] = []
    ts: list[pa.Array] = []
    values: list[pa.Array] = []
    key_idx: list[pa.Array] = []
    for i, key in enumerate(keys):
        rows, vals = drained.columns[key]
        if rows == identity:
            steps.append(steps_all)
            ts.append(ts_all)
        else:
            take = pa.array(rows, type=pa.int64(), memory_pool=pool)
            steps.append(pc.take(steps_all, take, memory_pool=pool))
            ts.append(pc.take(ts_all, take, memory_pool=pool))
        values.append(pa.array(vals, type=pa.float64(), memory_pool=pool))
        key_idx.append(pa.repeat(pa.scalar(i, pa.int32()), len(vals), memory_pool=pool))
    n = sum(len(v) for v in values)
    columns = {
        "step": _concat(steps, pa.int64()),
        "ts": _concat(ts, ts_type),
        "key": pa.DictionaryArray.from_arrays(
            _concat(key_idx, pa.int32()), pa.array(keys, pa.string()), memory_pool=pool
        ),
        "value": _concat(values, pa.float64()),
        "attempt": pa.repeat(pa.scalar(attempt, pa.int32()), n, memory_pool=pool),
        "ref": pa.nulls(n, type=pa.string(), memory_pool=pool),
    }
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _concat(arrays: list[pa.Array], type_: pa.DataType) -> pa.Array:
    return pa.concat_arrays(arrays, memory_pool=_pool()) if arrays else pa.array([], type=type_)


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


def write_parquet(table: pa.Table, sink: BinaryIO) -> None:
    """Straight into the spool file: no in-memory copy of the encoded chunk."""
    pq.write_table(table, sink, **parquet_options(table.schema))


def encode_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    write_parquet(table, sink)
    return sink.getvalue()
