"""Building Parquet chunks (the lake schema, zstd) from drained buffers. Runs on the flusher thread only.

The only SDK module that imports pyarrow for writing, and it is imported when the first chunk is
encoded, not with ``wanllmdb``: pyarrow and its Parquet writer are most of a training process's
footprint. pyarrow.compute (another ~9 MB) is not needed: the buffers' arrays are wrapped as they are.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from wanllmdb.ingest.buffer import Drained, LogLine
from wanllmdb.schema import log_schema, metric_schema, parquet_options

__all__ = ["LogLine", "encode_parquet", "log_table", "metric_table"]

_TS = pa.timestamp("ms", tz="UTC")


def _pool() -> pa.MemoryPool:
    # The system allocator, not pyarrow's default (mimalloc): mimalloc keeps freed pages in the
    # flusher thread's heap, which measured ~25 MB of extra RSS over 1M steps; malloc_trim frees these.
    return pa.system_memory_pool()


def _wrap(values: array[int] | array[float], type_: pa.DataType) -> pa.Array:
    """An Arrow array over the Python array's own memory: no copy, no per-value work under the GIL.
    (Also used instead of ``pa.repeat``, whose first call alone grew the process by ~5 MB.)"""
    return pa.Array.from_buffers(type_, len(values), [None, pa.py_buffer(values)])


def metric_table(drained: Drained, *, attempt: int) -> pa.Table:
    """Long-format rows, one Arrow array per key, concatenated: no Python loop over values.

    A key logged on every row reuses the shared step and ts arrays as they are; only keys missing from
    some rows gather their steps (a Python loop over their rows, the uncommon shape). String values
    come next, with a null ``value`` and their ``text``; numeric rows have a null ``text``. Media rows
    come last, with null ``value`` and ``text``, their descriptor in ``media`` and their object in ``ref``.
    """
    schema = metric_schema()
    pool = _pool()
    nrows = len(drained.steps)
    steps_all = _wrap(drained.steps, pa.int64())
    ts_all = _wrap(drained.ts_ms, _TS)
    columns = drained.columns
    texts = drained.texts
    media = drained.media
    keys = list(dict.fromkeys([*columns, *(k for _, k, _ in texts), *(m[2] for m in media)]))
    steps: list[pa.Array] = []
    ts: list[pa.Array] = []
    values: list[pa.Array] = []
    key_idx: list[pa.Array] = []
    for i, key in enumerate(columns):  # the numeric keys come first in `keys`
        rows, vals = columns[key]
        if len(rows) == nrows:  # row numbers are unique and sorted: this is every row
            steps.append(steps_all)
            ts.append(ts_all)
        else:
            steps.append(_wrap(array("q", [drained.steps[r] for r in rows]), pa.int64()))
            ts.append(_wrap(array("q", [drained.ts_ms[r] for r in rows]), _TS))
        values.append(_wrap(vals, pa.float64()))
        key_idx.append(_wrap(array("i", [i]) * len(vals), pa.int32()))
    n_values = sum(len(v) for v in values)
    if texts:
        index = {k: i for i, k in enumerate(keys)}
        steps.append(pa.array([drained.steps[r] for r, _, _ in texts], pa.int64()))
        ts.append(_wrap(array("q", [drained.ts_ms[r] for r, _, _ in texts]), _TS))
        key_idx.append(pa.array([index[k] for _, k, _ in texts], pa.int32()))
        values.append(pa.nulls(len(texts), type=pa.float64(), memory_pool=pool))
    n_plain = n_values + len(texts)
    text = pa.nulls(n_values, type=pa.string(), memory_pool=pool)
    if texts:
        text = _concat([text, pa.array([t for _, _, t in texts], pa.string())], pa.string())
    n = n_plain + len(media)
    ref = descriptor = pa.nulls(n, type=pa.string(), memory_pool=pool)
    if media:
        index = {k: i for i, k in enumerate(keys)}
        steps.append(pa.array([m[0] for m in media], pa.int64()))
        ts.append(_wrap(array("q", [m[1] for m in media]), _TS))
        key_idx.append(pa.array([index[m[2]] for m in media], pa.int32()))
        values.append(pa.nulls(len(media), type=pa.float64(), memory_pool=pool))
        text = _concat([text, pa.nulls(len(media), type=pa.string(), memory_pool=pool)], pa.string())
        plain = pa.nulls(n_plain, type=pa.string(), memory_pool=pool)
        ref = _concat([plain, pa.array([m[4] for m in media], pa.string())], pa.string())
        descriptor = _concat([plain, pa.array([m[3] for m in media], pa.string())], pa.string())
    table_columns = {
        "step": _concat(steps, pa.int64()),
        "ts": _concat(ts, _TS),
        "key": pa.DictionaryArray.from_arrays(
            _concat(key_idx, pa.int32()), pa.array(keys, pa.string()), memory_pool=pool
        ),
        "value": _concat(values, pa.float64()),
        "attempt": _wrap(array("i", [attempt]) * n, pa.int32()),
        "ref": ref,
        "text": text,
        "media": descriptor,
    }
    return pa.Table.from_arrays([table_columns[f.name] for f in schema], schema=schema)


def _concat(arrays: list[pa.Array], type_: pa.DataType) -> pa.Array:
    return pa.concat_arrays(arrays, memory_pool=_pool()) if arrays else pa.array([], type=type_)


def log_table(lines: Sequence[LogLine], *, attempt: int) -> pa.Table:
    schema = log_schema()
    columns = {
        "line": pa.array([ln[0] for ln in lines], type=pa.int64()),
        "ts": _wrap(array("q", [ln[1] for ln in lines]), _TS),
        "stream": pa.array([ln[2] for ln in lines], type=pa.string()),
        "text": pa.array([ln[3] for ln in lines], type=pa.string()),
        "attempt": _wrap(array("i", [attempt]) * len(lines), pa.int32()),
    }
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def encode_parquet(table: pa.Table) -> pa.Buffer:
    """The chunk's Parquet bytes, encoded into Arrow memory with the GIL released throughout.

    Writing through a Python file object instead hands the GIL back and forth for every page, and
    each hand-back waits out the training thread's switch interval (5 ms): that made a flush take
    ~100 ms of wall time while log() ran. A compressed chunk is small, so holding it costs little.
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **parquet_options(table.schema))
    return sink.getvalue()
