"""Exports read the lake and write only under `exports/`: a read route never compacts or deletes.

On AWS the query function's role may write `exports/` and nothing else (infra_cdk/services.py),
so an export that compacted first would fail there. These tests run each export on moto S3 (and the
local lake) and check every `metrics/` object is exactly as it was: same keys, sizes and etags.
"""

from __future__ import annotations

import ast
from pathlib import Path

import polars as pl

from tests.lake_chunks import put_chunk
from wanllmdb_functions.compaction.compactor import compact_stream
from wanllmdb_functions.lake.keys import project_prefix
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.query.catalog import RunRecord
from wanllmdb_functions.query.export import export_project, export_run
from wanllmdb_functions.query.models import ExportRequest

P, R = "proj1", "run1"
QUERY_PACKAGE = Path(__file__).resolve().parents[3] / "functions" / "wanllmdb_functions" / "query"


def _metrics(blobs: BlobStore) -> list[tuple[str, int, str]]:
    return sorted((i.key, i.size, i.etag) for i in blobs.list("metrics/"))


def _rows(blobs: BlobStore, key: str) -> list[tuple[int, str, float, int]]:
    frame = pl.read_parquet(blobs.get(key))
    return frame.select("step", pl.col("key").cast(pl.String), "value", "attempt").rows()


def test_export_of_a_run_with_only_chunks_leaves_the_lake_untouched(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1], values={"loss": [1.0, 0.5]})
    put_chunk(blobs, P, R, seq=1, steps=[2], values={"loss": [0.25]})
    put_chunk(blobs, P, R, seq=0, attempt=1, steps=[1], values={"loss": [0.4]})  # a resumed attempt
    before = _metrics(blobs)

    export = export_run(blobs, RunRecord(R, P), stream="history", expires_s=60)

    assert _metrics(blobs) == before
    assert export.key.startswith(f"exports/project={P}/run={R}/")
    # Every attempt's rows, as a compacted file would hold them: sorted by (step, key, attempt).
    assert _rows(blobs, export.key) == [
        (0, "loss", 1.0, 0),
        (1, "loss", 0.5, 0),
        (1, "loss", 0.4, 1),
        (2, "loss", 0.25, 0),
    ]
    assert [i.key for i in blobs.list("exports/")] == [export.key]


def test_export_of_a_compacted_file_plus_newer_chunks_reads_both_and_writes_only_exports(
    blobs: BlobStore,
) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0], values={"loss": [1.0]})
    put_chunk(blobs, P, R, seq=1, steps=[1], values={"loss": [0.5]})
    assert compact_stream(blobs, P, R, "history").key is not None
    put_chunk(blobs, P, R, seq=2, steps=[2], values={"loss": [0.25]})  # logged after compaction
    before = _metrics(blobs)

    export = export_run(blobs, RunRecord(R, P), stream="history", expires_s=60)

    assert _metrics(blobs) == before
    assert export.key.startswith("exports/")
    assert _rows(blobs, export.key) == [(0, "loss", 1.0, 0), (1, "loss", 0.5, 0), (2, "loss", 0.25, 0)]
    # The same data asked for again reuses the file.
    assert export_run(blobs, RunRecord(R, P), stream="history", expires_s=60).key == export.key
    assert len(list(blobs.list("exports/"))) == 1


def test_export_of_a_fully_compacted_run_presigns_the_compacted_file_without_writing(
    blobs: BlobStore,
) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1], values={"loss": [1.0, 0.5]})
    compacted = compact_stream(blobs, P, R, "history").key
    before = _metrics(blobs)

    export = export_run(blobs, RunRecord(R, P), stream="history", expires_s=60)

    assert export.key == compacted
    assert _metrics(blobs) == before and list(blobs.list("exports/")) == []


def test_project_export_leaves_the_lake_untouched(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0], values={"loss": [1.0]})
    compact_stream(blobs, P, R, "history")
    put_chunk(blobs, P, R, seq=1, steps=[1], values={"loss": [0.5]})
    put_chunk(blobs, P, "run2", seq=0, steps=[0], values={"loss": [2.0]})
    before = _metrics(blobs)

    runs = [RunRecord(R, P, config={}), RunRecord("run2", P, config={})]
    export = export_project(blobs, P, runs, ExportRequest(), expires_s=60)

    assert _metrics(blobs) == before and _metrics(blobs)[0][0].startswith(project_prefix(P))
    frame = pl.read_parquet(blobs.get(export.key))
    assert frame.select("run", "step", "value").sort("run", "step").rows() == [
        (R, 0, 1.0),
        (R, 1, 0.5),
        ("run2", 0, 2.0),
    ]


def test_the_query_package_never_imports_compaction() -> None:
    # The read side may not even reach the code that writes and deletes lake objects.
    offenders = []
    for path in sorted(QUERY_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and "compaction" in node.module.split("."):
                offenders.append(f"{path.name}: from {'.' * node.level}{node.module}")
    assert offenders == []
