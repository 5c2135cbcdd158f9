"""String metrics (`log({"phase": "eval"})`, lake schema version 2's `text` column) on the read side.

Lakes hold files written before the column existed, so every reader is checked on a mix of both.
"""

from __future__ import annotations

import io

import polars as pl
import pyarrow.parquet as pq

from tests.lake_chunks import put_chunk
from wanllmdb_functions.compaction.compactor import compact_stream
from wanllmdb_functions.lake.reader import read_stream
from wanllmdb_functions.lake.schema import METRIC_COLUMNS, conform_metrics
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.query.catalog import metrics_table
from wanllmdb_functions.query.envelope import envelope, with_x
from wanllmdb_functions.query.history import history_page, wide_rows


def _mixed_lake(blobs: BlobStore) -> None:
    """seq 0: a version-1 file (no text column); seq 1: version 2 with a string metric."""
    put_chunk(blobs, "p", "r", seq=0, steps=[0, 1], values={"loss": [1.0, 0.9]}, version=1)
    put_chunk(blobs, "p", "r", seq=1, steps=[2, 3], values={"loss": [0.8, 0.7], "phase": ["train", "eval"]})


def test_conform_metrics_gives_a_file_without_text_a_null_text_column() -> None:
    old = pl.DataFrame({"step": [0], "ts": [0], "key": ["a"], "value": [1.0], "attempt": [0], "ref": [None]})
    frame = conform_metrics(old.with_columns(pl.col("ts").cast(pl.Datetime("ms", "UTC"))))
    assert frame.columns == list(METRIC_COLUMNS)
    assert frame.get_column("text").to_list() == [None]


def test_reads_of_old_and_new_files_together_keep_every_row(blobs: BlobStore) -> None:
    _mixed_lake(blobs)
    for columns in (None, ("step", "key", "value", "attempt", "text")):
        frame = read_stream(blobs, "p", "r", "history", columns=columns).frame.sort("step", "key")
        assert frame.select("step", pl.col("key").cast(pl.String), "value", "text").rows() == [
            (0, "loss", 1.0, None),
            (1, "loss", 0.9, None),
            (2, "loss", 0.8, None),
            (2, "phase", None, "train"),
            (3, "loss", 0.7, None),
            (3, "phase", None, "eval"),
        ]
    # Charts read without `text`: an old file needs nothing it lacks.
    chart = read_stream(blobs, "p", "r", "history", columns=("step", "key", "value", "attempt")).frame
    assert chart.height == 6 and "text" not in chart.columns


def test_compaction_of_old_and_new_chunks_writes_the_text_column(blobs: BlobStore) -> None:
    _mixed_lake(blobs)
    key = compact_stream(blobs, "p", "r", "history").key
    assert key
    table = pq.read_table(io.BytesIO(blobs.get(key)))
    assert "text" in table.column_names
    texts = [t for t in table.column("text").to_pylist() if t is not None]
    assert texts == ["train", "eval"]
    assert read_stream(blobs, "p", "r", "history").frame.height == 6


def test_charts_ignore_string_rows() -> None:
    frame = pl.DataFrame(
        {
            "step": [0, 0, 1, 1],
            "key": ["loss", "phase", "loss", "phase"],
            "value": [1.0, None, 0.5, None],
            "text": [None, "train", None, "eval"],
        }
    )
    loss = with_x(frame, "step").filter(pl.col("key") == "loss")
    assert envelope(loss, buckets=10).columns == {"x": [0, 1], "y": [1.0, 0.5]}
    phase = with_x(frame, "step").filter(pl.col("key") == "phase")
    assert envelope(phase, buckets=10).columns == {"x": [], "y": []}
    # A string key as the x axis gives no points, not an error.
    assert with_x(frame, "phase").height == 0


def test_history_returns_strings_in_their_own_column(blobs: BlobStore) -> None:
    _mixed_lake(blobs)
    frame = read_stream(blobs, "p", "r", "history").frame
    rows = history_page(frame, keys=None, min_step=None, max_step=None, page_size=10, cursor=None)
    page = rows.frame
    assert rows.next_cursor is None and rows.media_keys == []
    assert page.schema["phase"] == pl.String and page.schema["loss"] == pl.Float64
    assert page.select("_step", "loss", "phase").rows() == [
        (0, 1.0, None),
        (1, 0.9, None),
        (2, 0.8, "train"),
        (3, 0.7, "eval"),
    ]
    # A step with only a string is a row of its own.
    only = frame.filter(pl.col("key") == "phase")
    assert wide_rows(only).select("_step", "phase").rows() == [(2, "train"), (3, "eval")]


def test_history_of_a_key_logged_as_both_shows_numbers_as_text() -> None:
    frame = pl.DataFrame(
        {
            "step": [0, 1],
            "ts": [0, 1000],
            "key": ["status", "status"],
            "value": [1.0, None],
            "text": [None, "done"],
        }
    ).with_columns(pl.col("ts").cast(pl.Datetime("ms", "UTC")))
    assert wide_rows(frame).select("_step", "status").rows() == [(0, "1.0"), (1, "done")]


def test_sql_scans_old_files_with_a_null_text_column(local_blobs: BlobStore) -> None:
    _mixed_lake(local_blobs)
    for lazy in (True, False):
        table, warnings = metrics_table(local_blobs, ["p"], lazy=lazy)
        got = table.filter(pl.col("key").cast(pl.String) == "phase").select("step", "text").collect()
        assert not warnings
        assert sorted(got.rows()) == [(2, "train"), (3, "eval")]
        assert table.select(pl.len()).collect().item() == 6


def test_duckdb_reads_text_across_schema_versions_with_union_by_name(local_blobs: BlobStore) -> None:
    import duckdb

    _mixed_lake(local_blobs)
    root = local_blobs.location("").uri.removeprefix("file://").rstrip("/")
    rows = duckdb.sql(
        f"""SELECT step, text FROM read_parquet('{root}/metrics/**/*.parquet', hive_partitioning = true,
                                                union_by_name = true)
            WHERE stream = 'history' AND key = 'phase' ORDER BY step"""
    ).fetchall()
    assert rows == [(2, "train"), (3, "eval")]
