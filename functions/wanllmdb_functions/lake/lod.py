"""The level-of-detail pyramid of a compacted stream: pre-aggregated buckets at fixed step widths.

Compaction writes one beside each compacted file (`lod/…/lod-{coverage}.parquet`, the same coverage
name, so a reader pairs them from the key alone) and the chart query reads it instead of the raw rows
(query/lod.py). Rows are `lod_columns` of schemas/lake_schema.json, one per (width, key, bucket) that
holds points, sorted that way and cut into small row groups, so a reader decodes one level of a few
keys, not the file. Aggregates and the rules that make them exact are in lake/blocks.py.

What it summarises is what a chart reads from the compacted file: per (key, step) the latest attempt's
row, and of those the rows with a value (text and media rows have none). The file's metadata also
holds each key's last step over all its rows (`wanllmdb.last_steps`): a reader needs it to know that
live chunks only add steps after the compacted ones.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from ..ports.blob_store import BlobInfo, BlobStore
from .blocks import Blocks, group_starts
from .keys import lake_schema, lod_prefix, lod_stream
from .reader import FrameCache, ObjectSource, dedup_latest_attempt

__all__ = [
    "LAST_STEPS_META",
    "LEVELS",
    "LOD_SCHEMA",
    "MEDIA_KEYS_META",
    "PyramidReader",
    "build_lod",
    "finest_level_dividing",
    "level_blocks",
    "list_pyramids",
    "lod_bytes",
    "media_keys_of",
]

LEVELS: tuple[int, ...] = tuple(int(w) for w in lake_schema()["lod_levels"])
LAST_STEPS_META = "wanllmdb.last_steps"
# The keys with media rows in the compacted file: most runs have none, and the footer says so
# without a reader decoding the media column of millions of rows (query/media.py).
MEDIA_KEYS_META = "wanllmdb.media_keys"
_FOOTER_SCHEMA = {"name": pl.String, "value": pl.String}
# Small row groups: a reader of one level, or of a few buckets of the finest, decodes only those.
ROW_GROUP = 4_096

LOD_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.Categorical(),
    "width": pl.Int64(),
    "bucket": pl.Int64(),
    "count": pl.Int64(),
    "finite": pl.Int64(),
    "sum": pl.Float64(),
    "min": pl.Float64(),
    "max": pl.Float64(),
    "first_step": pl.Int64(),
    "last_step": pl.Int64(),
    "first": pl.Float64(),
    "last": pl.Float64(),
}


def finest_level_dividing(width: int) -> int | None:
    """The coarsest pyramid level whose buckets tile buckets of `width` steps; None when none does."""
    fitting = [level for level in LEVELS if width % level == 0]
    return max(fitting) if fitting else None


def _level_frame(width: int, keys: list[str], codes: np.ndarray, blocks: Blocks) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "key": pl.Series([keys[c] for c in codes.tolist()], dtype=pl.String),
            "width": np.full(len(blocks), width, dtype=np.int64),
            "bucket": blocks.x0 // width,
            "count": blocks.count,
            "finite": blocks.finite,
            "sum": blocks.sum,
            "min": pl.Series(blocks.min).fill_nan(None),
            "max": pl.Series(blocks.max).fill_nan(None),
            "first_step": blocks.x0,
            "last_step": blocks.x1,
            "first": blocks.first,
            "last": blocks.last,
        }
    )


def build_lod(rows: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    """The pyramid of a stream's rows (any order, every attempt) and each key's last step."""
    latest = dedup_latest_attempt(rows.select("step", "key", "value", "attempt")).with_columns(
        pl.col("key").cast(pl.String)
    )
    last_steps = dict(latest.group_by("key").agg(pl.col("step").max()).iter_rows())
    points = latest.filter(pl.col("value").is_not_null()).sort("key", "step")
    keys = sorted(points.get_column("key").unique().to_list())
    codes = points.get_column("key").replace_strict(keys, list(range(len(keys))), return_dtype=pl.Int64)
    code = codes.to_numpy()
    blocks = Blocks.of_points(points.get_column("step").to_numpy(), points.get_column("value").to_numpy())
    frames = []
    for width in LEVELS:
        starts = group_starts(code, blocks.x0 // width)
        blocks, code = blocks.merge(starts), code[starts]
        frames.append(_level_frame(width, keys, code, blocks))
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=LOD_SCHEMA)
    return frame.with_columns(pl.col("key").cast(pl.Categorical)).select(list(LOD_SCHEMA)), last_steps


def media_keys_of(rows: pl.DataFrame) -> list[str]:
    """The keys of `rows` (a stream's, any attempt) that hold a media descriptor in some row."""
    if "media" not in rows.columns:
        return []
    media = rows.filter(pl.col("media").is_not_null()).get_column("key").cast(pl.String)
    return sorted(media.unique().to_list())


def lod_bytes(frame: pl.DataFrame, last_steps: dict[str, int], media_keys: list[str]) -> bytes:
    sink = io.BytesIO()
    frame.write_parquet(
        sink,
        compression="zstd",
        row_group_size=ROW_GROUP,
        statistics=True,
        metadata={
            LAST_STEPS_META: json.dumps(last_steps, sort_keys=True, separators=(",", ":")),
            MEDIA_KEYS_META: json.dumps(media_keys, separators=(",", ":")),
        },
    )
    return sink.getvalue()


def list_pyramids(blobs: BlobStore, project_id: str) -> dict[tuple[str, str], list[BlobInfo]]:
    """Every pyramid of a project from one listing, keyed by (run_id, stream)."""
    found: dict[tuple[str, str], list[BlobInfo]] = defaultdict(list)
    for info in blobs.list(lod_prefix(project_id)):
        if (stream := lod_stream(info.key)) is not None:
            found[(stream[1], stream[2])].append(info)
    return dict(found)


def level_blocks(rows: pl.DataFrame) -> Blocks:
    """One key's rows of one level (sorted by bucket) as Blocks."""
    column: Any = rows.get_column
    return Blocks(
        x0=column("first_step").to_numpy(),
        x1=column("last_step").to_numpy(),
        count=column("count").to_numpy(),
        finite=column("finite").to_numpy(),
        sum=column("sum").to_numpy(),
        min=column("min").fill_null(np.nan).to_numpy(),
        max=column("max").fill_null(np.nan).to_numpy(),
        first=column("first").to_numpy(),
        last=column("last").to_numpy(),
    )


class PyramidReader:
    """One pyramid object, read at most once per reader; decoded levels are kept in the FrameCache.

    The object is immutable per (key, size, ETag) like every lake object, so a cached level is never
    stale. Raises ValueError when the object is not a readable pyramid (NotFound when it vanished).
    """

    def __init__(self, blobs: BlobStore, info: BlobInfo, cache: FrameCache | None) -> None:
        self.info = info
        self.cache = cache
        self.source = ObjectSource(blobs, info)

    def _cached(self, ident: tuple[str, ...] | None, load: Any) -> pl.DataFrame:
        cache = self.cache if ident is not None else None
        if cache is not None and (hit := cache.get(self.info, ident)) is not None:
            return hit
        try:
            frame: pl.DataFrame = load()
        except Exception as exc:  # Polars raises several types for bad bytes; all mean "corrupt object"
            raise ValueError(f"{self.info.key}: not a readable pyramid ({type(exc).__name__})") from exc
        if cache is not None:
            cache.put(self.info, frame, ident)
        return frame

    def _footer(self, name: str) -> Any:
        """One entry of the object's Parquet footer, parsed (None when absent): the footer is read
        once for every entry, and kept in the cache as one small frame."""

        def load() -> pl.DataFrame:
            meta = pl.read_parquet_metadata(self.source.open())
            names = [n for n in (LAST_STEPS_META, MEDIA_KEYS_META) if n in meta]
            return pl.DataFrame({"name": names, "value": [meta[n] for n in names]}, schema=_FOOTER_SCHEMA)

        footer = self._cached(("lod", "footer"), load)
        found = footer.filter(pl.col("name") == name).get_column("value").to_list()
        try:
            return json.loads(found[0]) if found else None
        except ValueError as exc:
            raise ValueError(f"{self.info.key}: unreadable footer entry {name}") from exc

    def last_steps(self) -> dict[str, int]:
        """Each key's last step over all its rows in the compacted file (text and media rows too)."""
        steps = self._footer(LAST_STEPS_META)
        if not isinstance(steps, dict):
            raise ValueError(f"{self.info.key}: no {LAST_STEPS_META} in its footer")
        return {str(k): int(v) for k, v in steps.items()}

    def media_keys(self) -> frozenset[str] | None:
        """The keys with media rows in the compacted file; None when the pyramid predates the entry."""
        listed = self._footer(MEDIA_KEYS_META)
        return None if listed is None else frozenset(str(k) for k in listed)

    def level(
        self, width: int, keys: list[str], buckets: Sequence[tuple[int, int]] | None = None
    ) -> pl.DataFrame:
        """The rows of one level for `keys`, sorted by (key, bucket); only those in the inclusive
        bucket ranges `buckets` when given (not cached: a few rows of a large level)."""
        wanted = sorted(set(keys))
        where = (pl.col("width") == width) & pl.col("key").is_in(wanted)
        if buckets is not None:
            where &= pl.any_horizontal(pl.col("bucket").is_between(lo, hi) for lo, hi in buckets)

        def load() -> pl.DataFrame:
            scan = pl.scan_parquet(self.source.open())
            return scan.filter(where).with_columns(pl.col("key").cast(pl.String)).collect()

        if buckets is not None:
            return self._cached(None, load)
        return self._cached(("lod", f"width={width}", *wanted), load)
