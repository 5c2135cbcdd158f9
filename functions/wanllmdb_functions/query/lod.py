"""Chart series on the step axis from a stream's pyramid (lake/lod.py): what envelope() gives from raw rows.

Same answer, bit for bit, from far fewer rows. A key's series is built from

- the pyramid of the stream's one compacted file, at the coarsest level whose buckets tile the chart's
  (chart buckets are step-aligned with a round width, query/envelope.py, so one always does from width
  100 up);
- the live chunks compaction has not merged yet, read raw, when all their steps of the key come after
  the compacted ones (a resumed run that logged earlier steps again is read raw, as the latest attempt
  then replaces compacted rows);
- raw rows of the compacted file for what a pyramid bucket cannot split: a 10-step bucket that the
  zoom range cuts, narrow ranges answered with raw points, and widths no level tiles. These reads
  filter on step, and the compacted file's small sorted row groups keep them to a few thousand rows.

A bucket made of stored buckets and raw points (the one the live tail starts in, or one a range edge
cuts) is rebuilt from 10-step buckets plus points through the same fixed tree of sums as the raw path
(lake/blocks.py), which is what makes the two agree exactly. Anything else (no pyramid, several
compacted files during a compaction race, an unreadable object) reads raw as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import polars as pl

from ..core.errors import NotFound
from ..lake.blocks import Blocks, rollup_levels
from ..lake.keys import lod_key, parse_lod
from ..lake.lod import LEVELS, PyramidReader, finest_level_dividing, level_blocks
from ..lake.reader import FrameCache, ObjectSource, dedup_latest_attempt, read_object
from ..lake.visible import StreamObjects
from ..ports.blob_store import BlobInfo, BlobStore
from .envelope import Series, aligned_buckets, bucket_width

__all__ = [
    "PYRAMID_MIN_BYTES",
    "PyramidSeries",
    "StepRange",
    "compacted_footer",
    "find_pyramid",
    "pyramid_series",
]

# Below this a compacted file decodes in about a millisecond: looking for its pyramid would cost more.
PYRAMID_MIN_BYTES = 256 << 10

_ROW_COLUMNS = ("step", "key", "value", "attempt")
_STEP_LIMIT = 2**62


@dataclass(frozen=True)
class StepRange:
    """The steps a chart asks for, lo..hi inclusive (None: unbounded)."""

    lo: int | None = None
    hi: int | None = None
    # A live update's last step: a key with no row after it has no series at all (not an empty one).
    after: int | None = None

    @classmethod
    def of(cls, x_min: float | None, x_max: float | None, after_step: int | None = None) -> StepRange | None:
        """None for bounds the pyramid path does not take (NaN, infinities, beyond int64 steps): the raw
        path judges those."""
        bounds = (x_min, x_max, after_step)
        if any(b is not None and not (math.isfinite(b) and abs(b) < _STEP_LIMIT) for b in bounds):
            return None
        lo = math.ceil(x_min) if x_min is not None else None
        if after_step is not None:
            lo = after_step + 1 if lo is None else max(lo, after_step + 1)
        return cls(lo, math.floor(x_max) if x_max is not None else None, after_step)

    def mask(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Blocks that overlap the range."""
        keep = np.ones(len(first), dtype=bool)
        if self.lo is not None:
            keep &= last >= self.lo
        if self.hi is not None:
            keep &= first <= self.hi
        return keep

    def inside(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Blocks wholly inside the range."""
        keep = np.ones(len(first), dtype=bool)
        if self.lo is not None:
            keep &= first >= self.lo
        if self.hi is not None:
            keep &= last <= self.hi
        return keep

    def clip(self, lo: int, hi: int) -> tuple[int, int]:
        return (lo if self.lo is None else max(lo, self.lo), hi if self.hi is None else min(hi, self.hi))


@dataclass
class PyramidSeries:
    series: dict[str, Series] = field(default_factory=dict)
    # Keys the pyramid cannot answer (a live chunk rewrites compacted steps): read them raw.
    raw_keys: list[str] = field(default_factory=list)
    # The last step of any row of the keys (text and media rows too), before any after_step filter.
    last_step: int | None = None
    warnings: list[str] = field(default_factory=list)


def find_pyramid(
    blobs: BlobStore,
    objects: StreamObjects,
    stream: tuple[str, str, str],
    infos: Iterable[BlobInfo] | None = None,
) -> BlobInfo | None:
    """The pyramid of the one compacted file of `stream` (project, run, stream), from a listing of
    pyramids (`infos`) or else one HEAD; None when there is none, several compacted files are visible
    (a compaction race), or the file is small enough to read raw."""
    if len(objects.compacted) != 1:
        return None
    info, coverage = objects.compacted[0]
    if info.size < PYRAMID_MIN_BYTES:
        return None
    if infos is not None:
        return next((i for i in infos if parse_lod(i.key) == coverage), None)
    return blobs.head(lod_key(*stream, coverage))


T = TypeVar("T")


def compacted_footer(
    blobs: BlobStore,
    objects: StreamObjects,
    stream: tuple[str, str, str],
    entry: Callable[[PyramidReader], T | None],
    *,
    pyramids: Iterable[BlobInfo] | None = None,
    cache: FrameCache | None = None,
) -> tuple[T | None, StreamObjects]:
    """What `entry` reads from the footer of the pyramid of the stream's compacted file, and the
    objects left to read for the rest: its live chunks. (None, every object) when there is no
    pyramid, when it is unreadable or gone, or when it predates the entry (`entry` gave None)."""
    pyramid = find_pyramid(blobs, objects, stream, pyramids)
    if pyramid is None:
        return None, objects
    try:
        found = entry(PyramidReader(blobs, pyramid, cache))
    except (ValueError, NotFound):  # read the compacted file itself
        return None, objects
    if found is None:
        return None, objects
    return found, StreamObjects(objects.prefix, chunks=objects.chunks)


class _CompactedRows:
    """Step-filtered raw rows of the compacted file, latest attempt per (key, step); fetched once."""

    def __init__(self, blobs: BlobStore, info: BlobInfo) -> None:
        self.source = ObjectSource(blobs, info)

    def points(self, key: str, ranges: Sequence[tuple[int, int]]) -> Blocks:
        if not ranges:
            return Blocks.of_points(np.zeros(0, dtype=np.int64), np.zeros(0))
        in_range = pl.any_horizontal(pl.col("step").is_between(lo, hi) for lo, hi in ranges)
        try:
            rows = (
                pl.scan_parquet(self.source.open())
                .filter((pl.col("key") == key) & in_range)
                .select(*_ROW_COLUMNS)
                .collect()
            )
        except Exception as exc:  # Polars raises several types for bad bytes; all mean "corrupt object"
            raise ValueError(
                f"{self.source.info.key}: not a readable lake Parquet file ({type(exc).__name__})"
            ) from exc
        if rows.get_column("attempt").n_unique() > 1:  # the file holds every attempt's rows
            rows = dedup_latest_attempt(rows).sort("step")  # else one per step, in step order already
        return _points(rows)


def _points(rows: pl.DataFrame) -> Blocks:
    """Rows in step order as points: those with a value (NaN included), not text or media rows."""
    value = rows.get_column("value")
    step = rows.get_column("step").to_numpy()
    if value.null_count():
        keep = value.is_not_null().to_numpy()
        return Blocks.of_points(step[keep], value.to_numpy()[keep])
    return Blocks.of_points(step, value.to_numpy())


def _tail(
    blobs: BlobStore, objects: StreamObjects, keys: list[str], cache: FrameCache | None
) -> tuple[pl.DataFrame, list[str]]:
    """The live chunks' rows of `keys`, latest attempt per (key, step), as the raw reader has them."""
    parts: list[pl.DataFrame] = []
    warnings: list[str] = []
    for info, _ in objects.chunks:
        try:
            frame = read_object(blobs, info, cache=cache, columns=_ROW_COLUMNS)
        except ValueError:
            warnings.append(f"skipped corrupt object {info.key}")
            continue
        parts.append(frame.filter(pl.col("key").is_in(keys)))
    if not parts:
        empty = {"step": pl.Int64, "key": pl.String, "value": pl.Float64, "attempt": pl.Int32}
        return pl.DataFrame(schema=empty), warnings
    tail = dedup_latest_attempt(pl.concat(parts, how="vertical"))
    return tail.with_columns(pl.col("key").cast(pl.String)), warnings


class _KeySeries:
    """One key's series from its pyramid levels, its live points and, where needed, raw compacted rows."""

    def __init__(
        self,
        key: str,
        pyramid: PyramidReader,
        rows: _CompactedRows,
        tail: Blocks,
        compacted_last: int | None,
        steps: StepRange,
    ) -> None:
        self.key = key
        self.pyramid = pyramid
        self.rows = rows
        self.tail = tail  # points in range, after every compacted step
        self.compacted_last = compacted_last
        self.steps = steps

    def _level(self, width: int, buckets: list[tuple[int, int]] | None = None) -> Blocks:
        return level_blocks(self.pyramid.level(width, [self.key], buckets))

    def blocks(self, width: int) -> Blocks:
        """Exact blocks of `width` steps over the range: stored ones where the range and the live tail
        leave them whole, rebuilt from 10-step blocks, raw points and live points where not."""
        stored = self._level(width)
        stored = stored.take(np.flatnonzero(self.steps.mask(stored.x0, stored.x1)))
        touched = set((self.tail.x0 // width).tolist())
        whole = self.steps.inside(stored.x0, stored.x1) & ~np.isin(stored.x0 // width, list(touched))
        dirty = set((stored.x0[~whole] // width).tolist())
        if not dirty and not len(self.tail):
            return stored.take(np.flatnonzero(whole))
        finest = LEVELS[0]
        spans = [(j * (width // finest), (j + 1) * (width // finest) - 1) for j in sorted(dirty)]
        fine = self._level(finest, spans) if dirty else stored.take(np.zeros(0, dtype=np.intp))
        fine = fine.take(np.flatnonzero(self.steps.mask(fine.x0, fine.x1)))
        cut = ~self.steps.inside(fine.x0, fine.x1)
        ranges = [self.steps.clip(int(a), int(b)) for a, b in zip(fine.x0[cut], fine.x1[cut], strict=True)]
        base = Blocks.concat([fine.take(np.flatnonzero(~cut)), self.rows.points(self.key, ranges), self.tail])
        rebuilt = rollup_levels(base.sorted(), [level for level in LEVELS if level <= width])
        return Blocks.concat([stored.take(np.flatnonzero(whole)), rebuilt]).sorted()

    def raw_points(self) -> Blocks:
        """Every point in range: compacted rows read raw, then the live ones."""
        if self.compacted_last is None:
            return self.tail
        lo, hi = self.steps.clip(np.iinfo(np.int64).min, self.compacted_last)
        compacted = self.rows.points(self.key, [(lo, hi)] if lo <= hi else [])
        return Blocks.concat([compacted, self.tail])

    def series(self, buckets: int) -> Series:
        level = self._first_level(buckets)
        blocks = self.blocks(level)
        count = int(blocks.count.sum())
        if count <= buckets:
            points = self.raw_points() if count else blocks
            return Series(True, {"x": points.x0.tolist(), "y": points.first.tolist()})
        width = bucket_width(int(blocks.x0[0]), int(blocks.x1[-1]), buckets)
        top = finest_level_dividing(width)
        if top is None:  # narrower than any level tiles: bucket the raw points
            return aligned_buckets(self.raw_points(), buckets)
        if top < level:
            level, blocks = top, self.blocks(top)
        return aligned_buckets(blocks, buckets, level=level)

    def _first_level(self, buckets: int) -> int:
        """A guess from the whole key's extent; `series` goes finer when the points in range span less."""
        top = self._level(LEVELS[-1])
        firsts = [int(b.x0[0]) for b in (top, self.tail) if len(b)]
        lasts = [int(b.x1[-1]) for b in (top, self.tail) if len(b)]
        if not firsts:
            return LEVELS[0]
        lo, hi = self.steps.clip(min(firsts), max(lasts))
        if lo > hi:
            return LEVELS[-1]
        return finest_level_dividing(bucket_width(lo, hi, buckets)) or LEVELS[0]


def pyramid_series(
    blobs: BlobStore,
    objects: StreamObjects,
    pyramid: BlobInfo,
    keys: Sequence[str],
    *,
    buckets: int,
    steps: StepRange,
    cache: FrameCache | None,
) -> PyramidSeries | None:
    """Series of `keys` (step axis) from the pyramid; None when it cannot serve this read at all."""
    info, coverage = objects.compacted[0]
    if parse_lod(pyramid.key) != coverage:
        return None
    reader = PyramidReader(blobs, pyramid, cache)
    rows = _CompactedRows(blobs, info)
    wanted = list(dict.fromkeys(keys))
    try:
        compacted_last = reader.last_steps()
        tail, warnings = _tail(blobs, objects, wanted, cache)
        out = PyramidSeries(warnings=warnings)
        for key in wanted:
            live = tail.filter(pl.col("key") == key).sort("step") if tail.height else tail
            _serve(out, key, reader, rows, live, compacted_last.get(key), steps, buckets)
    except (ValueError, NotFound):
        return None  # an unreadable or vanished object: the raw path reads again, and warns or re-lists
    return out


def _serve(
    out: PyramidSeries,
    key: str,
    reader: PyramidReader,
    rows: _CompactedRows,
    tail: pl.DataFrame,
    compacted_last: int | None,
    steps: StepRange,
    buckets: int,
) -> None:
    """One key's series into `out`, given its live rows `tail` in step order."""
    if compacted_last is None and not tail.height:
        return  # the stream has no such key
    tail_steps = tail.get_column("step").to_numpy()
    last = max([int(tail_steps.max())] if len(tail_steps) else [], default=compacted_last)
    assert last is not None
    if compacted_last is not None:
        last = max(last, compacted_last)
    out.last_step = last if out.last_step is None else max(out.last_step, last)
    if compacted_last is not None and len(tail_steps) and int(tail_steps.min()) <= compacted_last:
        out.raw_keys.append(key)  # the latest attempt rewrites compacted steps: read it as it is
        return
    if steps.after is not None and last <= steps.after:
        return
    live = _points(tail)
    points = live.take(np.flatnonzero(steps.inside(live.x0, live.x1)))
    out.series[key] = _KeySeries(key, reader, rows, points, compacted_last, steps).series(buckets)
