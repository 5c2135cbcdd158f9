"""The project's run index in the lake: which run is which, for SQL over the metric lake.

Metrics are partitioned by opaque project and run ids, so an analyst's query cannot tell runs apart
by themselves. One Parquet object per project (`lake/keys.py` `run_index_key`) lists every run with
its name, state, group, job type, tags, times, and its config and summary leaves, both as JSON text
(`config`, `summary`) and flattened into one typed column per leaf (`config.lr`, `summary.loss`).

It is rebuilt from the runs table's index rows (one partition query), never patched in place:
- when a run is created, deleted, or changes what the index shows (RunService publishes RunChanged);
- whenever compaction merges a run's stream, which also brings running runs' summaries up to date.

Two rebuilds may race (two Lambdas): each one reads the rows again after writing and writes again
if they moved on, so the last writer always leaves the newest rows, and an unchanged index is not
written at all.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from ..core.errors import NotFound
from ..lake.keys import lake_schema, run_index_key
from ..ports import BlobStore, Item, ItemStore
from ..runs.keys import ROW_PREFIX, project_rows_pk

__all__ = ["MAX_LEAF_COLUMNS", "RUN_INDEX_COLUMNS", "index_rows", "write_run_index"]

log = logging.getLogger(__name__)

PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"
# Columns every run index has, in this order (schemas/lake_schema.json `run_index_columns`, which
# the Glue `runs` table also reads); leaf columns (`config.*`, `summary.*`) follow.
RUN_INDEX_COLUMNS: tuple[str, ...] = tuple(c["name"] for c in lake_schema()["run_index_columns"])
# Leaves beyond this many per root stay in the JSON column only: a table of 10,000 columns helps no one.
MAX_LEAF_COLUMNS = 500
_MAX_REBUILDS = 3


def index_rows(items: ItemStore, project_id: str) -> list[Item]:
    """The runs table's rows of a project, in run id order."""
    rows = items.query_all(project_rows_pk(project_id), sk_prefix=ROW_PREFIX, page_size=500)
    return sorted(rows, key=lambda row: str(row["run_id"]))


def _json_bytes(value: Any) -> bytes:
    """Canonical JSON (sorted keys), as Athena's and DuckDB's JSON functions read it: a NaN or an
    infinity, which JSON has no spelling for, is null here and stays a number in its typed column.
    orjson, since a rebuild writes two of these per run and runs beside the requests of a live
    server (json.dumps took half of a rebuild's time); json for what orjson cannot write (integers
    beyond 64 bits, which a config may hold)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)
    except orjson.JSONEncodeError:
        return json.dumps(_finite_or_null(value), sort_keys=True, default=str, separators=(",", ":")).encode()


def _finite_or_null(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_null(v) for v in value]
    return value


def _json_text(value: Any) -> str:
    return _json_bytes(value).decode()


def _timestamp(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _leaf_type(values: Iterable[Any]) -> str:
    """The one Arrow type all present values of a leaf share: bool, double or string (else JSON text)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double"
    if all(isinstance(v, str) for v in present):
        return "string"
    return "json"


def _leaf_columns(rows: list[Item], root: str, short: str) -> dict[str, tuple[str, list[Any]]]:
    paths = sorted({path for row in rows for path in (row.get(short) or {})})[:MAX_LEAF_COLUMNS]
    columns: dict[str, tuple[str, list[Any]]] = {}
    for path in paths:
        values = [(row.get(short) or {}).get(path) for row in rows]
        kind = _leaf_type(values)
        if kind == "json":
            values = [None if v is None else _json_text(v) for v in values]
        elif kind == "double":
            values = [None if v is None else float(v) for v in values]
        columns[f"{root}.{path}"] = ("string" if kind == "json" else kind, values)
    return columns


def _encode(rows: list[Item]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"bool": pa.bool_(), "double": pa.float64(), "string": pa.string()}
    utc = pa.timestamp("us", tz="UTC")
    arrays: dict[str, pa.Array] = {
        "run_id": pa.array([r["run_id"] for r in rows], pa.string()),
        "name": pa.array([r.get("name") for r in rows], pa.string()),
        "state": pa.array([r.get("state") for r in rows], pa.string()),
        "group": pa.array([r.get("group") for r in rows], pa.string()),
        "job_type": pa.array([r.get("job_type") for r in rows], pa.string()),
        "tags": pa.array([list(r.get("tags") or []) for r in rows], pa.list_(pa.string())),
        "created_at": pa.array([_timestamp(r.get("created_at")) for r in rows], utc),
        "finished_at": pa.array([_timestamp(r.get("finished_at")) for r in rows], utc),
        "config": pa.array([_json_text(r.get("c") or {}) for r in rows]),
        "summary": pa.array([_json_text(r.get("s") or {}) for r in rows]),
    }
    for root, short in (("config", "c"), ("summary", "s")):
        for name, (kind, values) in _leaf_columns(rows, root, short).items():
            arrays[name] = pa.array(values, types[kind])
    assert tuple(arrays)[: len(RUN_INDEX_COLUMNS)] == RUN_INDEX_COLUMNS
    sink = io.BytesIO()
    pq.write_table(pa.table(arrays), sink, compression=lake_schema()["parquet"]["compression"])
    return sink.getvalue()


def _digest(rows: list[Item]) -> str:
    return hashlib.sha256(_json_bytes(rows)).hexdigest()


def _stored(blobs: BlobStore, key: str) -> bytes | None:
    try:
        return blobs.get(key)
    except NotFound:
        return None


def write_run_index(items: ItemStore, blobs: BlobStore, project_id: str) -> str | None:
    """Rebuild the project's run index; returns its key, or None when it was already up to date."""
    key = run_index_key(project_id)
    wrote = False
    rows = index_rows(items, project_id)
    for _ in range(_MAX_REBUILDS):
        data = _encode(rows)
        if _stored(blobs, key) != data:
            blobs.put(key, data, content_type=PARQUET_CONTENT_TYPE)
            wrote = True
        newer = index_rows(items, project_id)
        if _digest(newer) == _digest(rows):
            return key if wrote else None
        rows = newer  # the runs moved on while this index was written: write the newer rows
    log.info("run index of project %s still changing after %d rebuilds", project_id, _MAX_REBUILDS)
    return key if wrote else None
