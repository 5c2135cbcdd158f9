"""The lake engine: visible sets, latest-attempt reads, corrupt objects, envelopes and compaction."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest

from tests.lake_chunks import put_chunk
from wanllmdb_functions.compaction.compactor import compact_stream
from wanllmdb_functions.lake.keys import ChunkName, Coverage, parse_chunk, parse_compacted
from wanllmdb_functions.lake.reader import read_stream
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.query.envelope import envelope, with_x

P, R = "proj1", "run1"


def _values(read: pl.DataFrame, key: str) -> dict[int, float]:
    rows = read.filter(pl.col("key").cast(pl.String) == key).sort("step")
    return dict(zip(rows["step"].to_list(), rows["value"].to_list(), strict=True))


def test_compacted_name_round_trips_its_coverage() -> None:
    coverage = Coverage({0: 41, 1: 7})
    assert parse_compacted(f"x/compact-{coverage.name()}.parquet") == coverage
    assert coverage.covers(ChunkName(0, 41)) and not coverage.covers(ChunkName(1, 8))
    assert parse_chunk("x/chunk-a0001-000000007.parquet") == ChunkName(1, 7)


def test_latest_attempt_wins_per_step(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1, 2, 3], values={"loss": [1.0, 2.0, 3.0, 4.0]})
    put_chunk(blobs, P, R, seq=0, attempt=1, steps=[2, 3, 4], values={"loss": [30.0, 40.0, 50.0]})
    read = read_stream(blobs, P, R, "history")
    assert _values(read.frame, "loss") == {0: 1.0, 1: 2.0, 2: 30.0, 3: 40.0, 4: 50.0}


def test_corrupt_object_is_skipped_with_a_warning(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1], values={"loss": [1.0, 2.0]})
    blobs.put(f"metrics/project={P}/run={R}/stream=history/chunk-a0000-000000001.parquet", b"not parquet")
    put_chunk(blobs, P, R, seq=2, steps=[5], values={"loss": [5.0]})
    read = read_stream(blobs, P, R, "history")
    assert _values(read.frame, "loss") == {0: 1.0, 1: 2.0, 5: 5.0}
    assert read.warnings == [
        f"skipped corrupt object metrics/project={P}/run={R}/stream=history/chunk-a0000-000000001.parquet"
    ]


def test_compaction_merges_sorts_and_dedups_a_reuploaded_chunk(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0, 1], values={"b": [1.0, 2.0], "a": [3.0, 4.0]})
    put_chunk(blobs, P, R, seq=1, steps=[2, 3], values={"a": [5.0, 6.0]})
    put_chunk(blobs, P, R, seq=1, steps=[2, 3], values={"a": [5.0, 6.0]})  # retried upload, same key
    result = compact_stream(blobs, P, R, "history")
    assert result.key and result.key.endswith("compact-a0000s000000001.parquet")
    keys = [i.key for i in blobs.list(f"metrics/project={P}/run={R}/")]
    assert keys == [result.key]
    merged = pl.read_parquet(blobs.get(result.key))
    assert merged.select("step", pl.col("key").cast(pl.String)).rows() == [
        (0, "a"),
        (0, "b"),
        (1, "a"),
        (1, "b"),
        (2, "a"),
        (3, "a"),
    ]
    # Compacting again changes nothing, and a late duplicate of a covered chunk stays invisible.
    assert compact_stream(blobs, P, R, "history").key is None
    put_chunk(blobs, P, R, seq=1, steps=[2, 3], values={"a": [5.0, 6.0]})
    assert read_stream(blobs, P, R, "history").frame.height == 6


def test_compaction_never_covers_a_gap_so_a_late_chunk_stays_visible(blobs: BlobStore) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0], values={"a": [0.0]})
    put_chunk(blobs, P, R, seq=2, steps=[2], values={"a": [2.0]})
    result = compact_stream(blobs, P, R, "history")
    assert result.key and "s000000000" in result.key
    put_chunk(blobs, P, R, seq=1, steps=[1], values={"a": [1.0]})  # the slow upload lands after
    assert _values(read_stream(blobs, P, R, "history").frame, "a") == {0: 0.0, 1: 1.0, 2: 2.0}
    compact_stream(blobs, P, R, "history")
    listing = list_stream(blobs, P, R, "history")
    assert [c.high for _, c in listing.compacted] == [{0: 2}] and listing.chunks == []


def test_every_listing_during_a_compaction_reads_the_same_rows(blobs: BlobStore) -> None:
    for seq in range(3):
        put_chunk(blobs, P, R, seq=seq, steps=[seq * 2, seq * 2 + 1], values={"a": [seq, seq + 0.5]})
    before = read_stream(blobs, P, R, "history").frame.sort("step")
    # Half-way state: merged file written, inputs not yet deleted.
    result = compact_stream(blobs, P, R, "history")
    assert result.key
    put_chunk(blobs, P, R, seq=0, steps=[0, 1], values={"a": [0, 0.5]})
    half_way = read_stream(blobs, P, R, "history").frame.sort("step")
    assert half_way["value"].to_list() == before["value"].to_list()


def test_racing_compactions_leave_every_row_exactly_once(local_blobs: BlobStore) -> None:
    # Real threads on the filesystem adapter only: moto's in-memory S3 is not thread-safe for
    # concurrent PUTs of one key. The interleavings below run on both adapters.
    blobs = local_blobs
    for seq in range(6):
        put_chunk(blobs, P, R, seq=seq, steps=[seq], values={"a": [float(seq)]})
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: compact_stream(blobs, P, R, "history"), range(4)))
    compact_stream(blobs, P, R, "history")
    assert _values(read_stream(blobs, P, R, "history").frame, "a") == {s: float(s) for s in range(6)}
    assert [i.key.rsplit("/", 1)[1] for i in blobs.list(f"metrics/project={P}/")] == [
        "compact-a0000s000000005.parquet"
    ]


def test_a_compaction_from_a_stale_listing_stands_down_or_repeats_the_same_file(blobs: BlobStore) -> None:
    for seq in range(3):
        put_chunk(blobs, P, R, seq=seq, steps=[seq], values={"a": [float(seq)]})
    stale = list_stream(blobs, P, R, "history")
    first = compact_stream(blobs, P, R, "history", objects=stale)
    assert first.key
    # Same listing, inputs already deleted by the first: it gives up and deletes nothing.
    second = compact_stream(blobs, P, R, "history", objects=stale)
    assert second.key is None and second.skipped and second.deleted == 0
    # New chunks after a listing that saw only the compacted file: merged on top of it.
    put_chunk(blobs, P, R, seq=3, steps=[3], values={"a": [3.0]})
    put_chunk(blobs, P, R, seq=2, steps=[2], values={"a": [2.0]})  # an old chunk re-uploaded
    third = compact_stream(blobs, P, R, "history")
    assert third.key and third.key.endswith("compact-a0000s000000003.parquet")
    assert _values(read_stream(blobs, P, R, "history").frame, "a") == {s: float(s) for s in range(4)}
    assert [i.key for i in blobs.list(f"metrics/project={P}/")] == [third.key]


def test_envelope_keeps_spikes_and_raw_points_below_the_bucket_count() -> None:
    n = 10_000
    values = [0.0] * n
    values[4321] = 99.0
    values[7] = math.nan
    frame = with_x(pl.DataFrame({"step": range(n), "value": values, "key": ["a"] * n}), "step")
    series = envelope(frame, buckets=100)
    assert not series.raw and len(series.columns["max"]) == 100
    assert max(series.columns["max"]) == 99.0 and sum(series.columns["count"]) == n
    assert series.columns["x0"][0] == 0 and series.columns["x1"][-1] == n - 1
    zoomed = envelope(frame, buckets=100, x_min=4300, x_max=4350)
    assert zoomed.raw and zoomed.columns["x"][0] == 4300 and 99.0 in zoomed.columns["y"]


def test_step_metric_axis_uses_the_other_metrics_value() -> None:
    frame = pl.DataFrame(
        {
            "step": [0, 0, 1, 1, 2],
            "key": ["loss", "epoch", "loss", "epoch", "loss"],
            "value": [5.0, 0.5, 4.0, 1.0, 3.0],
        }
    )
    axis = with_x(frame, "epoch")
    loss = axis.filter(pl.col("key") == "loss").sort("x")
    assert loss["x"].to_list() == [0.5, 1.0] and loss["value"].to_list() == [5.0, 4.0]


@pytest.mark.parametrize("stream", ["history", "system"])
def test_unknown_keys_give_an_empty_frame(blobs: BlobStore, stream: str) -> None:
    put_chunk(blobs, P, R, seq=0, steps=[0], values={"a": [1.0]}, stream=stream)
    assert read_stream(blobs, P, R, stream, keys=["nope"]).frame.height == 0
