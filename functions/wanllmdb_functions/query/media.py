"""A run's media rows (lake schema v3 `media` column): keys and steps, one (key, step) with its
presigned GETs, and a histogram key over all its steps.

A media row has value and text null, `media` = its descriptor as JSON (schemas/media_descriptors.json)
and `ref` = its object below the run's media prefix, or null for inline descriptors (histogram,
gallery). Bytes never pass through here: a file descriptor gets a short-lived presigned GET, which
downloads as an attachment with a passive type (core/security_headers.py), so an Html object is
never served as a page of any origin; the dashboard renders it in a sandboxed iframe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

from ..core.errors import InvalidInput, NotFound
from ..lake.keys import media_key
from ..lake.lod import PyramidReader
from ..lake.reader import FrameCache, read_stream
from ..lake.schema import METRIC_SCHEMA
from ..lake.visible import StreamObjects, list_stream
from ..ports.blob_store import BlobInfo, BlobStore
from .catalog import RunRecord
from .lod import compacted_footer
from .media_models import HistogramStep, MediaItem, MediaKey

__all__ = [
    "MediaRows",
    "descriptor_at",
    "histogram_steps",
    "media_item",
    "media_keys",
    "read_media",
    "signer",
    "with_urls",
]

_COLUMNS = ("step", "key", "attempt", "ref", "media")
HISTOGRAM = "histogram"
GALLERY = "gallery"


@dataclass
class MediaRows:
    """Media rows only (step, key, ref, media), sorted by (key, step); one per (key, step)."""

    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(schema={c: t for c, t in METRIC_SCHEMA.items() if c in _COLUMNS})


@cache
def _no_media() -> pl.DataFrame:
    """The rows of a run without media, made once: a query for each of 1,000 runs costs milliseconds."""
    return _media_only(_empty_rows())


def _media_only(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.filter(pl.col("media").is_not_null())
        .select(pl.col("step"), pl.col("key").cast(pl.String), pl.col("ref"), pl.col("media"))
        .sort("key", "step")
    )


def read_media(
    blobs: BlobStore,
    run: RunRecord,
    *,
    keys: Sequence[str] | None = None,
    cache: FrameCache | None = None,
    objects: StreamObjects | None = None,
    pyramids: list[BlobInfo] | None = None,
) -> MediaRows:
    """The run's media rows (of `keys` only, when given), latest attempt per (key, step)."""
    # Most runs log no media. A compacted file's pyramid lists its media keys in its footer; the
    # rest (live chunks, a file without a pyramid) say so by their media column alone (all null),
    # before the five columns of every row are decoded.
    if objects is None:
        objects = list_stream(blobs, run.project_id, run.id, "history")
    probed = _unknown_media(blobs, run, objects, cache, pyramids)
    if probed is not None and not probed.objects:
        return MediaRows(_no_media(), [])
    if probed is not None:
        probe = read_stream(
            blobs,
            run.project_id,
            run.id,
            "history",
            cache=cache,
            objects=probed,
            columns=("media",),
            dedup=False,
        )
        if probe.frame.get_column("media").null_count() == probe.frame.height:
            return MediaRows(_no_media(), probe.warnings)
    read = read_stream(
        blobs, run.project_id, run.id, "history", keys=keys, cache=cache, objects=objects, columns=_COLUMNS
    )
    return MediaRows(_media_only(read.frame), read.warnings)


def _unknown_media(
    blobs: BlobStore,
    run: RunRecord,
    objects: StreamObjects,
    cache: FrameCache | None,
    pyramids: list[BlobInfo] | None,
) -> StreamObjects | None:
    """The objects whose media column must be read to know whether the run has media: all of them,
    or only the live chunks when the compacted file's pyramid lists no media keys; None when the
    pyramid lists some (the run has media: read it)."""
    listed, rest = compacted_footer(
        blobs, objects, (run.project_id, run.id, "history"), PyramidReader.media_keys,
        pyramids=pyramids, cache=cache,
    )  # fmt: skip
    return None if listed else rest


def _descriptor(text: str, key: str, step: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("_type"), str):
        raise InvalidInput(f"the media of {key!r} at step {step} is not a descriptor", field="key")
    return value


def media_keys(rows: MediaRows) -> list[MediaKey]:
    out: list[MediaKey] = []
    if rows.frame.height == 0:  # most runs: no group_by to run
        return out
    for (key,), part in rows.frame.group_by("key", maintain_order=True):
        steps = part.get_column("step").to_list()
        try:
            latest = _descriptor(part.get_column("media")[-1], str(key), steps[-1])
        except InvalidInput:
            rows.warnings.append(f"unreadable media descriptor under {key!r}")
            continue
        items = latest.get("items") if latest["_type"] == GALLERY else None
        first = items[0] if isinstance(items, list) and items else None
        item_type = first.get("_type") if isinstance(first, dict) else None
        out.append(MediaKey(key=str(key), type=latest["_type"], item_type=item_type, steps=steps))
    return out


def with_urls(value: Any, sign: Callable[[str], str]) -> Any:
    """The descriptor with a presigned `url` beside each `path` (gallery items included)."""
    if isinstance(value, dict):
        out = {k: with_urls(v, sign) for k, v in value.items()}
        if isinstance(value.get("path"), str) and value.get("_type") != HISTOGRAM:
            out["url"] = sign(value["path"])
        return out
    if isinstance(value, list):
        return [with_urls(v, sign) for v in value]
    return value


def descriptor_at(rows: MediaRows, key: str, step: int) -> tuple[int, dict[str, Any]]:
    """(the step shown, its descriptor): `step`, or the nearest earlier step of `key` with media;
    NotFound when there is none."""
    earlier = rows.frame.filter((pl.col("key") == key) & (pl.col("step") <= step))
    if earlier.height == 0:
        raise NotFound(f"no media under {key!r} at or before step {step}", field="step")
    found = earlier.row(-1, named=True)
    return found["step"], _descriptor(found["media"], key, found["step"])


def signer(blobs: BlobStore, run: RunRecord, *, expires_s: int) -> Callable[[str], str]:
    """A presigned GET of the run's media object at a descriptor's `path`."""

    def sign(path: str) -> str:
        return blobs.presign_get(media_key(run.project_id, run.id, path), expires_s=expires_s).url

    return sign


def media_item(
    rows: MediaRows, blobs: BlobStore, run: RunRecord, key: str, step: int, *, expires_s: int
) -> MediaItem:
    """(key, step), or the nearest earlier step of `key` with media; NotFound when there is none."""
    shown, descriptor = descriptor_at(rows, key, step)
    return MediaItem(
        key=key,
        requested_step=step,
        step=shown,
        exact=shown == step,
        type=descriptor["_type"],
        descriptor=with_urls(descriptor, signer(blobs, run, expires_s=expires_s)),
        url_expires_s=expires_s,
    )


def histogram_steps(rows: MediaRows, key: str) -> list[HistogramStep]:
    """Every step's bins and counts of histogram `key`, ascending (rows of other types are skipped)."""
    out: list[HistogramStep] = []
    for step, text in rows.frame.filter(pl.col("key") == key).select("step", "media").iter_rows():
        descriptor = _descriptor(text, key, step)
        if descriptor["_type"] != HISTOGRAM:
            continue
        out.append(
            HistogramStep(
                step=step,
                bins=descriptor.get("bins") or [],
                values=descriptor.get("values") or [],
                nonfinite=descriptor.get("nonfinite"),
            )
        )
    return out
