"""An artifact manifest (schemas/artifact_manifest.json) read with Polars: checked, digested, diffed.

The SDK writes the manifest and uploads it; the server trusts none of it until it has read it back:
paths are checked like run file names, the digest is recomputed the way wandb computes it, and every
stored entry's blob must exist before a version may name it.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

from ..core.errors import InvalidInput

__all__ = ["COLUMNS", "Manifest", "ManifestCache", "diff_manifests", "read_manifest", "wandb_digest"]

COLUMNS: dict[str, Any] = {
    "path": pl.String,
    "digest": pl.String,
    "size": pl.Int64,
    "sha256": pl.String,
    "ref": pl.String,
    "birth_artifact": pl.String,
    "extra": pl.String,
    "pack": pl.String,
    "offset": pl.Int64,
}
# Columns a version-1 manifest (written before packs) lacks: read as null.
OPTIONAL_COLUMNS = ("pack", "offset")
MAX_PATH_CHARS = 1024
DIGEST_HEADER = b"wandb-artifact-manifest-v1\n"


@dataclass(frozen=True)
class Manifest:
    frame: pl.DataFrame  # sorted by path, COLUMNS only

    @property
    def file_count(self) -> int:
        return self.frame.height

    @property
    def size(self) -> int:
        return int(self.frame.get_column("size").fill_null(0).sum())

    # Cached: a manifest never changes, and grants in batches of 1,000 ask the latest version's
    # manifest the same questions once per batch (cached_property writes past the frozen dataclass).
    @cached_property
    def _stored(self) -> dict[str, int]:
        stored = self.frame.filter(pl.col("sha256").is_not_null() & pl.col("pack").is_null()).unique("sha256")
        return dict(
            zip(stored.get_column("sha256").to_list(), stored.get_column("size").to_list(), strict=True)
        )

    def stored_blobs(self) -> dict[str, int]:
        """sha256 → size of every entry stored as a blob of its own (references and packed entries
        have none)."""
        return self._stored

    @cached_property
    def _packs(self) -> frozenset[str]:
        return frozenset(self.frame.get_column("pack").drop_nulls().unique().to_list())

    def packs(self) -> set[str]:
        """The packs this version's entries live in."""
        return set(self._packs)

    @cached_property
    def _packed(self) -> dict[str, tuple[str, int]]:
        rows = (
            self.frame.filter(pl.col("pack").is_not_null())
            .unique("sha256")
            .select("sha256", "pack", "offset")
        )
        return {sha: (pack, int(offset)) for sha, pack, offset in rows.iter_rows()}

    def packed(self) -> dict[str, tuple[str, int]]:
        """sha256 → (pack, offset) of every packed entry: where its bytes can be found again."""
        return self._packed


class ManifestCache:
    """Manifests already read and checked, by (project, SHA-256): their content never changes, so an
    entry is never stale. Bounded by entries held, least recently used dropped first. Grants in
    batches of 1,000 read the collection's latest manifest on every batch; this reads it once."""

    def __init__(self, max_entries: int = 2_000_000) -> None:
        self.max_entries = max_entries
        self._held: OrderedDict[tuple[str, str], Manifest] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, project_id: str, sha256: str) -> Manifest | None:
        with self._lock:
            found = self._held.get((project_id, sha256))
            if found is not None:
                self._held.move_to_end((project_id, sha256))
            return found

    def put(self, project_id: str, sha256: str, manifest: Manifest) -> None:
        with self._lock:
            self._held[(project_id, sha256)] = manifest
            total = sum(m.file_count for m in self._held.values())
            while total > self.max_entries and len(self._held) > 1:
                _, dropped = self._held.popitem(last=False)
                total -= dropped.file_count


def wandb_digest(paths: list[str], digests: list[str]) -> str:
    """wandb's artifact digest: MD5 over the header and `path:digest` lines in path order."""
    hasher = hashlib.md5(usedforsecurity=False)
    hasher.update(DIGEST_HEADER)
    for path, digest in sorted(zip(paths, digests, strict=True)):
        hasher.update(f"{path}:{digest}\n".encode())
    return hasher.hexdigest()


def _bad(message: str) -> InvalidInput:
    return InvalidInput(f"manifest: {message}", field="manifest_sha256")


def _check_path(path: str) -> None:
    if not path or len(path) > MAX_PATH_CHARS:
        raise _bad(f"an entry path has 1..{MAX_PATH_CHARS} characters, got {path[:80]!r}")
    if path.startswith("/") or "\\" in path or any(ord(c) < 0x20 for c in path):
        raise _bad(f"entry path {path!r} must be relative, '/'-separated, without control characters")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise _bad(f"entry path {path!r} must not hold '.', '..' or empty segments")


def read_manifest(data: bytes) -> Manifest:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # Polars raises several types for a file that is not Parquet
        raise _bad(f"not a Parquet file ({type(exc).__name__})") from None
    frame = frame.with_columns(
        [pl.lit(None, dtype=COLUMNS[c]).alias(c) for c in OPTIONAL_COLUMNS if c not in frame.columns]
    )
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise _bad(f"columns {missing} are missing; schemas/artifact_manifest.json lists them")
    try:
        frame = frame.select([pl.col(c).cast(t, strict=True) for c, t in COLUMNS.items()])
    except pl.exceptions.PolarsError as exc:
        raise _bad(f"a column has the wrong type ({exc})") from None
    if frame.get_column("path").null_count() or frame.get_column("digest").null_count():
        raise _bad("every entry needs a path and a digest")
    if frame.get_column("path").n_unique() != frame.height:
        raise _bad("entry paths must be unique")
    for path in frame.get_column("path").to_list():
        _check_path(path)
    stored = frame.filter(pl.col("sha256").is_not_null())
    if stored.get_column("size").null_count() or (stored.get_column("size") < 0).any():
        raise _bad("a stored entry needs its size in bytes")
    bad_hex = stored.filter(~pl.col("sha256").str.contains(r"^[0-9a-f]{64}$"))
    if bad_hex.height:
        raise _bad(f"entry {bad_hex.get_column('path')[0]!r} has a sha256 that is not 64 hex characters")
    packed = frame.filter(pl.col("pack").is_not_null())
    loose = packed.filter(
        pl.col("sha256").is_null()
        | pl.col("offset").is_null()
        | (pl.col("offset") < 0)
        | ~pl.col("pack").str.contains(r"^[0-9a-f]{64}$")
    )
    if loose.height:
        raise _bad(
            f"entry {loose.get_column('path')[0]!r} names a pack: it needs its sha256, an offset >= 0 "
            "and a pack of 64 hex characters"
        )
    if frame.filter(pl.col("pack").is_null() & pl.col("offset").is_not_null()).height:
        raise _bad("an entry with an offset must name its pack")
    neither = frame.filter(pl.col("sha256").is_null() & pl.col("ref").is_null())
    if neither.height:
        raise _bad(
            f"entry {neither.get_column('path')[0]!r} is neither stored (sha256) nor a reference (ref)"
        )
    return Manifest(frame.sort("path"))


def diff_manifests(old: Manifest, new: Manifest) -> pl.DataFrame:
    """(path, change, old_size, new_size) for every path added, removed or changed, by path."""
    joined = old.frame.select("path", "digest", "size").join(
        new.frame.select("path", "digest", "size"), on="path", how="full", coalesce=True, suffix="_new"
    )
    change = (
        pl.when(pl.col("digest").is_null())
        .then(pl.lit("added"))
        .when(pl.col("digest_new").is_null())
        .then(pl.lit("removed"))
        .when(pl.col("digest") != pl.col("digest_new"))
        .then(pl.lit("changed"))
        .otherwise(None)
    )
    return (
        joined.with_columns(change.alias("change"))
        .filter(pl.col("change").is_not_null())
        .select("path", "change", pl.col("size").alias("old_size"), pl.col("size_new").alias("new_size"))
        .sort("path")
    )


def entry_extra(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
