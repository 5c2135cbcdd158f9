"""Level-of-detail pyramids: compaction writes them, and charts read through them match raw rows exactly."""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from tests.lake_chunks import put_chunk
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.compaction.compactor import compact_stream
from wanllmdb_functions.core.caller import Caller
from wanllmdb_functions.lake import lod as lake_lod
from wanllmdb_functions.lake.blocks import Blocks
from wanllmdb_functions.lake.keys import lod_key, lod_prefix, parse_compacted
from wanllmdb_functions.lake.lod import LEVELS, PyramidReader
from wanllmdb_functions.lake.reader import ObjectSource, read_stream
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.query import lod as query_lod
from wanllmdb_functions.query.catalog import RunRecord
from wanllmdb_functions.query.envelope import bucket_width, envelope, with_x
from wanllmdb_functions.query.models import CompareRequest
from wanllmdb_functions.query.service import ChartQuery, QueryService

P = "proj1"
CALLER = Caller(user_id="u", username="u", is_admin=True, key_id=None, via="api_key")


class _Catalog:
    """Every run is readable: these tests are about the lake, not authorization."""

    def readable_run(self, caller: Caller, run_id: str, **_: Any) -> RunRecord:
        return RunRecord(id=run_id, project_id=P)

    def readable_runs(
        self, caller: Caller, project_id: str, run_ids: Sequence[str] | None = None, **_: Any
    ) -> list[RunRecord]:
        return [RunRecord(id=r, project_id=P) for r in run_ids or []]

    def sql_projects(self, caller: Caller, project_ids: Sequence[str] | None = None) -> list[str]:
        return [P]


@contextmanager
def _lake() -> Iterator[LocalBlobStore]:
    with tempfile.TemporaryDirectory() as tmp:
        signer = UrlSigner(b"k" * 32, "http://127.0.0.1:9")
        yield LocalBlobStore(Path(tmp) / "lake", work_dir=Path(tmp) / "work", signer=signer)


def _canonical(value: Any) -> Any:
    """Floats by their bits (NaN, -0.0 and 0.0 all differ), so equality below is exact equality."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _chart(service: QueryService, run: str, query: ChartQuery, *, pyramid: bool) -> Any:
    threshold = 0 if pyramid else 1 << 62
    served = query_lod.pyramid_series

    def counted(*args: Any, **kwargs: Any) -> query_lod.PyramidSeries | None:
        got = served(*args, **kwargs)
        how = "none" if got is None else f"served {len(got.series)}, raw {len(got.raw_keys)}"
        if currently_in_test_context():
            event(f"pyramid: {how}")
        return got

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(query_lod, "PYRAMID_MIN_BYTES", threshold)
        patch.setattr("wanllmdb_functions.query.service.pyramid_series", counted)
        result = service.chart(CALLER, run, query)
    return _canonical(
        {
            "series": {k: s.model_dump() for k, s in result.series.items()},
            "last_step": result.last_step,
            "warnings": result.warnings,
        }
    )


def _compare(service: QueryService, body: CompareRequest, *, pyramid: bool) -> Any:
    threshold = 0 if pyramid else 1 << 62
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(query_lod, "PYRAMID_MIN_BYTES", threshold)
        return _canonical(service.compare(CALLER, P, body).model_dump())


# -- what a run logs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    seed: int
    steps: int  # points per key in the first attempt
    stride: int  # step spacing, so some runs reach the coarse levels
    gaps: float  # share of steps left out
    hole: float | None  # where a long stretch with no steps starts, as a share of the steps
    specials: float  # share of NaN, +-inf, -0.0, huge and text values
    chunk: int  # rows per chunk
    compacted_chunks: int  # chunks compaction merged before the live tail
    resume_at: float | None  # a resumed attempt starting at this share of the steps (before or after)
    relog: bool  # a later chunk of the same attempt logs some steps again


def _values(rng: np.random.Generator, n: int, specials: float) -> list[float | str | None]:
    base = rng.normal(0, 1, n).cumsum()
    out: list[float | str | None] = [float(v) for v in base]
    picks = rng.random(n) < specials
    menu: list[float | str | None] = [math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e308, "text", None]
    for i in np.flatnonzero(picks):
        out[i] = menu[int(rng.integers(len(menu)))]
    return out


def _log(blobs: BlobStore, run: str, shape: Shape) -> None:
    rng = np.random.default_rng(shape.seed)
    all_steps = np.arange(shape.steps) * shape.stride
    kept = rng.random(shape.steps) >= shape.gaps
    if shape.hole is not None:
        start = int(shape.hole * shape.steps)
        kept[start : start + shape.steps // 2] = False
    steps = [int(s) for s in all_steps[kept]] or [0]
    chunks = [steps[i : i + shape.chunk] for i in range(0, len(steps), shape.chunk)]
    if shape.relog and len(chunks) > 1:  # re-logged steps of attempt 0 in a later chunk
        chunks.append(sorted(rng.choice(steps, size=min(5, len(steps)), replace=False).tolist()))

    def put(seq: int, part: Sequence[int], attempt: int, keys: Sequence[str] = ("a", "b")) -> None:
        values: dict[str, Sequence[float | str | None]] = {
            k: _values(rng, len(part), shape.specials) for k in keys
        }
        put_chunk(blobs, P, run, seq=seq, steps=part, values=values, attempt=attempt)

    for seq, part in enumerate(chunks[: shape.compacted_chunks]):
        put(seq, part, 0)
    compact_stream(blobs, P, run, "history")
    for seq, part in enumerate(chunks[shape.compacted_chunks :], start=shape.compacted_chunks):
        put(seq, part, 0, ("a", "b", "c"))  # `c` only in live chunks
    if shape.resume_at is not None:
        start = int(shape.resume_at * (steps[-1] + 1))
        resumed = list(range(start, start + 3 * shape.chunk * shape.stride, shape.stride))
        for seq, i in enumerate(range(0, len(resumed), shape.chunk)):
            put(seq, resumed[i : i + shape.chunk], 1)


shapes = st.builds(
    Shape,
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 4000),
    stride=st.sampled_from([1, 1, 1, 3, 10, 97]),
    gaps=st.sampled_from([0.0, 0.0, 0.1, 0.9]),
    hole=st.one_of(st.none(), st.floats(0.0, 0.9)),
    specials=st.sampled_from([0.0, 0.01, 0.3]),
    chunk=st.integers(50, 1500),
    compacted_chunks=st.integers(1, 4),
    resume_at=st.one_of(st.none(), st.floats(0.0, 1.3)),
    relog=st.booleans(),
)


@st.composite
def zooms(draw: st.DrawFn) -> tuple[float | None, float | None]:
    bound = st.one_of(st.none(), st.floats(-50, 450_000), st.integers(-50, 450_000).map(float))
    lo, hi = draw(bound), draw(bound)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=shapes,
    buckets=st.sampled_from([1, 2, 7, 10, 33, 100, 1000]),
    zoom=zooms(),
    after_step=st.one_of(st.none(), st.integers(-5, 20_000)),
)
def test_charts_through_the_pyramid_equal_the_raw_envelope(
    shape: Shape, buckets: int, zoom: tuple[float | None, float | None], after_step: int | None
) -> None:
    with _lake() as blobs:
        _log(blobs, "r1", shape)
        service = QueryService(blobs, _Catalog())  # type: ignore[arg-type]
        query = ChartQuery(
            ["a", "b", "c", "missing"], buckets=buckets, x_min=zoom[0], x_max=zoom[1], after_step=after_step
        )
        raw = _chart(service, "r1", query, pyramid=False)
        assert _chart(service, "r1", query, pyramid=True) == raw
        kinds = {s["raw"] for s in raw["series"].values()}
        event(f"answer: {'points' if kinds == {True} else 'buckets'}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=st.lists(shapes, min_size=1, max_size=3), buckets=st.sampled_from([1, 10, 100]), zoom=zooms())
def test_compare_through_the_pyramid_equals_the_raw_envelope(
    shapes: list[Shape], buckets: int, zoom: tuple[float | None, float | None]
) -> None:
    with _lake() as blobs:
        runs = [f"r{i}" for i in range(len(shapes))]
        for run, shape in zip(runs, shapes, strict=True):
            _log(blobs, run, shape)
        service = QueryService(blobs, _Catalog())  # type: ignore[arg-type]
        body = CompareRequest(runs=runs, keys=["a", "b", "c"], buckets=buckets, min=zoom[0], max=zoom[1])
        assert _compare(service, body, pyramid=True) == _compare(service, body, pyramid=False)


# -- the pyramid serves reads without decoding the raw rows ---------------------------------------


def _dense_run(blobs: BlobStore, run: str, n: int, *, chunk: int = 10_000) -> np.ndarray:
    rng = np.random.default_rng(7)
    values = rng.normal(0, 1, n)
    values[rng.random(n) < 0.001] = math.nan
    values[123] = math.inf
    for seq, start in enumerate(range(0, n, chunk)):
        part = list(range(start, min(n, start + chunk)))
        put_chunk(blobs, P, run, seq=seq, steps=part, values={"loss": values[start : start + chunk].tolist()})
    return values


def _count_reads(blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of every object read from `blobs` from now on, whole or by range."""
    reads: list[str] = []
    get, open_source = blobs.get, ObjectSource.open

    def counted_get(key: str) -> bytes:
        reads.append(key)
        return get(key)

    def counted_open(source: ObjectSource) -> Any:
        reads.append(source.info.key)
        return open_source(source)

    monkeypatch.setattr(blobs, "get", counted_get)
    monkeypatch.setattr(ObjectSource, "open", counted_open)
    return reads


def test_a_full_chart_reads_the_pyramid_and_not_the_compacted_rows(
    local_blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dense_run(local_blobs, "r1", 200_000)
    compact_stream(local_blobs, P, "r1", "history")
    service = QueryService(local_blobs, _Catalog())  # type: ignore[arg-type]
    query = ChartQuery(["loss"], buckets=1000)
    raw = _chart(service, "r1", query, pyramid=False)

    reads = _count_reads(local_blobs, monkeypatch)
    assert _chart(service, "r1", query, pyramid=True) == raw
    assert all(key.startswith("lod/") for key in reads) and reads  # never the compacted file
    buckets = raw["series"]["loss"]["buckets"]
    assert len(buckets["x0"]) == 1000 and buckets["x0"][:2] == [0, 200]  # width 200, aligned on 0

    # Live chunks after the compacted steps, and a zoom that cuts 10-step buckets: still exact, and the
    # compacted file is read only for the steps around the cuts.
    put_chunk(local_blobs, P, "r1", seq=20, steps=list(range(200_000, 200_015)), values={"loss": [1.0] * 15})
    zoom = ChartQuery(["loss"], buckets=100, x_min=1234.5, x_max=199_999.5)
    assert _chart(service, "r1", zoom, pyramid=True) == _chart(service, "r1", zoom, pyramid=False)


def test_a_compacted_runs_keys_come_from_its_pyramid_footer_and_its_live_chunks(
    local_blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dense_run(local_blobs, "r1", 200_000)
    put_chunk(local_blobs, P, "r1", seq=99, steps=[5], values={"grad_norm": [0.5]})
    compact_stream(local_blobs, P, "r1", "history")
    put_chunk(local_blobs, P, "r1", seq=100, steps=[200_000], values={"acc": [0.9]})  # live, after it
    service = QueryService(local_blobs, _Catalog())  # type: ignore[arg-type]
    run = RunRecord(id="r1", project_id=P)

    reads = _count_reads(local_blobs, monkeypatch)
    keys, warnings = service.run_metric_keys(run, "history")
    assert (keys, warnings) == (["acc", "grad_norm", "loss"], [])
    assert reads and not any("/compact-" in key for key in reads)  # the pyramid and the live chunk only
    with monkeypatch.context() as patch:  # without a pyramid: the same keys, from the rows themselves
        patch.setattr(query_lod, "PYRAMID_MIN_BYTES", 1 << 40)
        assert service.run_metric_keys(run, "history") == (keys, [])


def test_a_zoom_outside_the_data_is_an_empty_series(blobs: BlobStore) -> None:
    _dense_run(blobs, "r1", 50_000)
    compact_stream(blobs, P, "r1", "history")
    service = QueryService(blobs, _Catalog())  # type: ignore[arg-type]
    for lo, hi in ((60_000.0, 70_000.0), (-100.0, -1.0), (100.2, 100.8)):
        query = ChartQuery(["loss"], buckets=10, x_min=lo, x_max=hi)
        got = _chart(service, "r1", query, pyramid=True)
        assert got == _chart(service, "r1", query, pyramid=False)
        assert got["series"] == {"loss": {"raw": True, "points": {"x": [], "y": []}, "buckets": None}}


def test_a_range_edge_in_a_hole_goes_to_the_finer_level_it_needs(blobs: BlobStore) -> None:
    steps = [*range(1000), *range(100_000, 101_000)]
    for seq in range(2):
        part = steps[seq * 1000 : (seq + 1) * 1000]
        put_chunk(blobs, P, "r1", seq=seq, steps=part, values={"loss": [float(s % 17) for s in part]})
    compact_stream(blobs, P, "r1", "history")
    service = QueryService(blobs, _Catalog())  # type: ignore[arg-type]
    # The whole key spans 100k steps from 1,500 on, but its points there span 1,000: width 100, not 10,000.
    query = ChartQuery(["loss"], buckets=10, x_min=1500)
    got = _chart(service, "r1", query, pyramid=True)
    assert got == _chart(service, "r1", query, pyramid=False)
    assert got["series"]["loss"]["buckets"]["x0"] == list(range(100_000, 101_000, 100))


def test_unreadable_objects_are_skipped_or_read_raw_as_before(blobs: BlobStore) -> None:
    _dense_run(blobs, "r1", 30_000)
    first = compact_stream(blobs, P, "r1", "history")
    put_chunk(blobs, P, "r1", seq=3, steps=[30_000], values={"loss": [1.0]})
    corrupt = f"metrics/project={P}/run=r1/stream=history/chunk-a0000-000000004.parquet"
    blobs.put(corrupt, b"not parquet")
    service = QueryService(blobs, _Catalog())  # type: ignore[arg-type]
    query = ChartQuery(["loss"], buckets=100)
    got = _chart(service, "r1", query, pyramid=True)
    assert got == _chart(service, "r1", query, pyramid=False)
    assert got["warnings"] == [f"skipped corrupt object {corrupt}"]
    assert first.key
    coverage = parse_compacted(first.key)
    assert coverage is not None
    blobs.put(lod_key(P, "r1", "history", coverage), b"not parquet either")  # a broken pyramid
    assert _chart(service, "r1", query, pyramid=True) == got


def test_bounds_past_any_step_read_raw(local_blobs: LocalBlobStore) -> None:
    _dense_run(local_blobs, "r1", 30_000)
    compact_stream(local_blobs, P, "r1", "history")
    service = QueryService(local_blobs, _Catalog())  # type: ignore[arg-type]
    for lo, hi, after in (
        (1e30, None, None),
        (None, -1e30, None),
        (None, None, 10**30),
        (-math.inf, 5e4, None),
    ):
        query = ChartQuery(["loss"], buckets=10, x_min=lo, x_max=hi, after_step=after)
        assert _chart(service, "r1", query, pyramid=True) == _chart(service, "r1", query, pyramid=False)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.floats(allow_nan=True, width=64), min_size=1, max_size=400),
    shape=st.one_of(
        st.integers(1, 120).map(lambda n: ("every", n)),
        st.lists(st.integers(1, 200), max_size=30).map(lambda cuts: ("cuts", cuts)),
    ),
)
def test_merged_blocks_fold_sums_left_to_right_and_keep_the_rest_exact(
    values: list[float], shape: tuple[str, Any]
) -> None:
    """The sums every path shares are ((v0 + v1) + v2) + ... in x order, whatever the group shapes."""
    kind, arg = shape
    n = len(values)
    cuts = range(0, n, arg) if kind == "every" else {0, *(c for c in arg if c < n)}
    starts = np.array(sorted(cuts), dtype=np.intp)
    merged = Blocks.of_points(np.arange(n), np.array(values)).merge(starts)
    for i, (a, b) in enumerate(zip(starts.tolist(), [*starts[1:].tolist(), n], strict=True)):
        group = values[a:b]
        finite = [v for v in group if not math.isnan(v)]
        total = -0.0
        for k, v in enumerate(finite):
            total = v if k == 0 else total + v
        assert merged.sum[i].hex() == total.hex() or (math.isnan(merged.sum[i]) and math.isnan(total))
        assert merged.count[i] == len(group) and merged.finite[i] == len(finite)
        if finite:  # -0.0 reads as 0.0, so a merge never depends on which of two zeros came first
            assert merged.min[i].hex() == (min(finite) + 0.0).hex()
            assert merged.max[i].hex() == (max(finite) + 0.0).hex()
        else:
            assert math.isnan(merged.min[i]) and math.isnan(merged.max[i])
        assert (
            merged.first[i].hex() == float(group[0]).hex() and merged.last[i].hex() == float(group[-1]).hex()
        )


def test_bucket_widths_are_round_and_cover_the_range() -> None:
    assert bucket_width(0, 999_999, 1000) == 1000
    assert bucket_width(0, 1_000_000, 1000) == 1100  # two significant digits, at most 10% wider
    assert bucket_width(0, 9_999, 100) == 100 and bucket_width(0, 4_990, 100) == 50
    for lo, hi, buckets in ((5, 10, 1), (17, 123_456, 7), (0, 0, 1), (-50, 50, 3)):
        width = bucket_width(lo, hi, buckets)
        assert hi // width - lo // width < buckets


def test_envelope_buckets_are_step_aligned_with_nan_and_infinities() -> None:
    values = [1.0, math.nan, -math.inf, 2.0, math.inf, math.nan, 3.0, -0.0, 5.0, 4.0]
    frame = with_x(pl.DataFrame({"step": range(10), "value": values, "key": ["k"] * 10}), "step")
    series = envelope(frame, buckets=3)
    assert series.columns["x0"] == [0, 4, 8] and series.columns["x1"] == [3, 7, 9]  # width 4
    assert series.columns["count"] == [4, 4, 2]
    assert series.columns["min"] == [-math.inf, 0.0, 4.0] and series.columns["max"] == [2.0, math.inf, 5.0]
    assert series.columns["mean"][0] == -math.inf and series.columns["mean"][2] == 4.5
    all_nan = envelope(frame.with_columns(pl.lit(math.nan).alias("value")), buckets=3)
    assert all_nan.columns["min"] == [None] * 3 and all_nan.columns["mean"] == [None] * 3


# -- compaction writes it ------------------------------------------------------------------------


def test_compaction_writes_the_pyramid_beside_the_file_idempotently(local_blobs: LocalBlobStore) -> None:
    values = _dense_run(local_blobs, "r1", 25_000, chunk=5_000)
    first = compact_stream(local_blobs, P, "r1", "history")
    assert first.key
    coverage = parse_compacted(first.key)
    assert coverage is not None
    key = lod_key(P, "r1", "history", coverage)
    stored = local_blobs.get(key)
    frame = pl.read_parquet(stored)
    assert sorted(set(frame["width"].to_list())) == list(LEVELS)
    for width in LEVELS:
        level = frame.filter(pl.col("width") == width)
        nans = int(np.isnan(values).sum())
        assert level["count"].sum() == 25_000 and level["finite"].sum() == 25_000 - nans
        assert level["max"].max() == math.inf
    assert PyramidReader(local_blobs, local_blobs.head(key), None).last_steps() == {"loss": 24_999}  # type: ignore[arg-type]

    # Nothing new: nothing rewritten. The same inputs again: the same bytes under the same key.
    assert compact_stream(local_blobs, P, "r1", "history").skipped
    assert [i.key for i in local_blobs.list(lod_prefix(P))] == [key] and local_blobs.get(key) == stored
    local_blobs.delete(key)  # a pyramid lost (or a file compacted before pyramids): the next run restores it
    assert compact_stream(local_blobs, P, "r1", "history").skipped
    assert local_blobs.get(key) == stored

    # New chunks, one of a resumed attempt: a new file, a new pyramid of the latest attempt, the old one gone.
    put_chunk(local_blobs, P, "r1", seq=5, steps=[25_000], values={"loss": [9.0]})
    put_chunk(local_blobs, P, "r1", seq=0, steps=[0, 1], values={"loss": [7.0, 8.0]}, attempt=1)
    second = compact_stream(local_blobs, P, "r1", "history")
    assert second.key and second.key != first.key
    coverage2 = parse_compacted(second.key)
    assert coverage2 is not None
    assert [i.key for i in local_blobs.list(lod_prefix(P))] == [lod_key(P, "r1", "history", coverage2)]
    finest = pl.read_parquet(local_blobs.get(lod_key(P, "r1", "history", coverage2))).filter(
        (pl.col("width") == LEVELS[0]) & (pl.col("bucket") == 0)
    )
    assert finest["first"].to_list() == [7.0] and finest["count"].to_list() == [10]
    rows = read_stream(local_blobs, P, "r1", "history").frame
    assert rows.height == 25_001


def test_a_pyramid_lives_outside_the_metrics_prefix(local_blobs: LocalBlobStore) -> None:
    """DuckDB and Athena read metrics/**: a pyramid there would read as metric rows."""
    put_chunk(local_blobs, P, "r1", seq=0, steps=[0, 1], values={"loss": [1.0, 2.0]})
    compact_stream(local_blobs, P, "r1", "history")
    keys = [i.key for i in local_blobs.list("")]
    assert any(k.startswith("lod/") for k in keys)
    assert not any(k.startswith("metrics/") and "lod-" in k for k in keys)
    assert lake_lod.list_pyramids(local_blobs, P).keys() == {("r1", "history")}


def test_the_footer_lists_media_keys_and_an_older_pyramid_says_it_does_not_know(
    local_blobs: LocalBlobStore,
) -> None:
    frame, last_steps = lake_lod.build_lod(
        pl.DataFrame({"step": [0], "key": ["loss"], "value": [1.0], "attempt": [0]})
    )
    local_blobs.put("lod/new.parquet", lake_lod.lod_bytes(frame, last_steps, ["samples"]))
    local_blobs.put("lod/none.parquet", lake_lod.lod_bytes(frame, last_steps, []))
    old = io.BytesIO()
    frame.write_parquet(old, metadata={lake_lod.LAST_STEPS_META: '{"loss":0}'})  # before media keys
    local_blobs.put("lod/old.parquet", old.getvalue())

    def media(key: str) -> frozenset[str] | None:
        info = local_blobs.head(key)
        assert info is not None
        return lake_lod.PyramidReader(local_blobs, info, None).media_keys()

    assert media("lod/new.parquet") == {"samples"}
    assert media("lod/none.parquet") == frozenset()
    assert media("lod/old.parquet") is None
