"""Exports: one run's full history as a Parquet object, and many runs' histories with configs and summaries.

Both answer with a presigned GET, because a Lambda response is capped at 6 MB. Export keys are
derived from what they contain (object fingerprints, run records, the request), so asking twice
for unchanged data reuses the first file instead of writing another.

An export only reads the lake: it takes the visible set a chart reads (the newest compacted files
plus newer chunks, `lake.visible`) and writes nothing but its own file under `exports/`. Compacting
is the compaction function's job; a read route that compacted would mutate the lake, and on AWS the
query function's role may not write `metrics/` at all (infra_cdk/services.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import polars as pl

from ..core.errors import NotFound
from ..lake.keys import project_export_key, run_export_key
from ..lake.reader import merge_rows, read_stream
from ..lake.schema import METRIC_SCHEMA
from ..lake.visible import list_project, list_stream
from ..ports.blob_store import BlobStore, PresignedRequest
from .catalog import RunRecord
from .history import to_parquet_bytes
from .models import ExportRequest, ExportResponse

__all__ = ["export_project", "export_run"]

_PARQUET = "application/vnd.apache.parquet"


def _response(
    key: str, grant: PresignedRequest, rows: int | None = None, runs: int | None = None
) -> ExportResponse:
    expires = grant.expires_at.astimezone(UTC).isoformat() if isinstance(grant.expires_at, datetime) else None
    return ExportResponse(
        key=key, url=grant.url, method=grant.method, expires_at=expires, rows=rows, runs=runs
    )


def export_run(blobs: BlobStore, run: RunRecord, *, stream: str, expires_s: int) -> ExportResponse:
    """The run's compacted file when it alone holds the stream; else one merged from the visible set.

    Rows are those of a compacted file: every attempt, one row per (step, key, attempt), sorted.
    """
    objects = list_stream(blobs, run.project_id, run.id, stream)
    if not objects.objects:
        raise NotFound(f"run {run.id} has no {stream} metrics in the lake", field="run_id")
    if len(objects.objects) == 1 and objects.compacted:
        key = objects.compacted[0][0].key
        return _response(key, blobs.presign_get(key, expires_s=expires_s), runs=1)
    # Chunks not compacted yet (a live run, or a compaction still queued): merge what the listing shows.
    key = run_export_key(run.project_id, run.id, stream, objects.fingerprint())
    if blobs.head(key) is None:
        read = read_stream(blobs, run.project_id, run.id, stream, objects=objects, dedup=False)
        blobs.put(key, to_parquet_bytes(merge_rows([read.frame])), content_type=_PARQUET)
    return _response(key, blobs.presign_get(key, expires_s=expires_s), runs=1)


def _run_columns(run: RunRecord) -> list[pl.Expr]:
    return [
        pl.lit(run.id).alias("run"),
        pl.lit(run.name, pl.String).alias("run_name"),
        pl.lit(run.state).alias("state"),
        pl.lit(run.group, pl.String).alias("group"),
        pl.lit(json.dumps(run.loaded_config, sort_keys=True, default=str)).alias("config"),
        pl.lit(json.dumps(run.summary, sort_keys=True, default=str)).alias("summary"),
    ]


def export_project(
    blobs: BlobStore, project_id: str, runs: Sequence[RunRecord], body: ExportRequest, *, expires_s: int
) -> ExportResponse:
    """Long metric rows of many runs, each with its run's name, state, group, config and summary (JSON)."""
    streams = list_project(blobs, project_id)
    digest = hashlib.sha256(body.model_dump_json().encode())
    for run in sorted(runs, key=lambda r: r.id):
        digest.update(
            json.dumps(
                [run.id, run.name, run.state, run.group, run.loaded_config, run.summary], default=str
            ).encode()
        )
        objects = streams.get((run.id, body.stream))
        digest.update((objects.fingerprint() if objects else "-").encode())
    key = project_export_key(project_id, digest.hexdigest()[:32])
    if blobs.head(key) is None:
        parts: list[pl.DataFrame] = []
        for run in runs:
            objects = streams.get((run.id, body.stream))
            frame = pl.DataFrame(schema=METRIC_SCHEMA)
            if objects is not None:
                frame = read_stream(
                    blobs, project_id, run.id, body.stream, keys=body.keys, objects=objects
                ).frame
            if frame.height == 0:
                # A run without metrics still exports its config and summary, on one row.
                frame = pl.DataFrame([{}], schema=METRIC_SCHEMA)
            frame = frame.sort("step", "key", "attempt").with_columns(pl.col("key").cast(pl.String))
            parts.append(frame.with_columns(_run_columns(run)))
        table = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
        blobs.put(key, to_parquet_bytes(table), content_type=_PARQUET)
        rows = table.height
    else:
        rows = None
    return _response(key, blobs.presign_get(key, expires_s=expires_s), rows=rows, runs=len(runs))
