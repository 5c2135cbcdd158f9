"""An artifact's manifest: its entries, wandb's names for them, and the Parquet file the server reads
(schemas/artifact_manifest.json: path, digest, size, sha256, ref, birth_artifact, extra, pack, offset)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.hashing import wandb_digest

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact

__all__ = ["ArtifactManifest", "ArtifactManifestEntry"]

COLUMNS = ("path", "digest", "size", "sha256", "ref", "birth_artifact", "extra", "pack", "offset")
# A manifest written before packs lacks these: they read as None.
OPTIONAL_COLUMNS = ("pack", "offset")


@dataclass
class ArtifactManifestEntry:
    """One file of an artifact, as wandb's ArtifactManifestEntry: `path` inside the artifact, `digest`
    (base64 MD5, or a reference's ETag/version/URI), `size`, `ref` (a reference's URI), `extra`."""

    path: str
    digest: str
    size: int | None = None
    sha256: str | None = None  # the stored blob's address; None for references
    ref: str | None = None
    birth_artifact_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    pack: str | None = None  # a small entry's bytes are `size` bytes at `offset` of this pack
    offset: int | None = None
    local_path: str | None = None  # a draft's file on this machine
    _artifact: Artifact | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The entry's path, as `artifact.files()` items are named in wandb."""
        return self.path

    def ref_target(self) -> str:
        return self.ref_url()

    def ref_url(self) -> str:
        if self.ref is None:
            raise ValueError(f"{self.path} is not a reference")
        return self.ref

    def download(self, root: str | None = None, skip_cache: bool | None = None) -> str:
        """Fetch this one entry into `root` (the artifact's default directory when None); its path."""
        if self._artifact is None:
            raise ValueError(f"{self.path}: this entry belongs to no logged artifact")
        return self._artifact._download_entries([self], root, skip_cache=bool(skip_cache))[0]


class ArtifactManifest:
    """wandb's `artifact.manifest`: `entries` by path, `digest()`, `size()`."""

    def __init__(self, entries: dict[str, ArtifactManifestEntry] | None = None) -> None:
        self.entries: dict[str, ArtifactManifestEntry] = dict(entries or {})

    def digest(self) -> str:
        return wandb_digest(list(self.entries), [e.digest for e in self.entries.values()])

    def size(self) -> int:
        return sum(e.size or 0 for e in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def to_parquet(self) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [self.entries[p] for p in sorted(self.entries)]
        table = pa.table(
            {
                "path": pa.array([e.path for e in rows], pa.string()),
                "digest": pa.array([e.digest for e in rows], pa.string()),
                "size": pa.array([e.size for e in rows], pa.int64()),
                "sha256": pa.array([e.sha256 for e in rows], pa.string()),
                "ref": pa.array([e.ref for e in rows], pa.string()),
                "birth_artifact": pa.array([e.birth_artifact_id for e in rows], pa.string()),
                "extra": pa.array(
                    [json.dumps(e.extra, sort_keys=True) if e.extra else None for e in rows], pa.string()
                ),
                "pack": pa.array([e.pack for e in rows], pa.string()),
                "offset": pa.array([e.offset for e in rows], pa.int64()),
            }
        )
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        return sink.getvalue()

    @classmethod
    def from_parquet(cls, data: bytes) -> ArtifactManifest:
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(data))
        cols = {
            c: table.column(c).to_pylist() if c in table.column_names or c not in OPTIONAL_COLUMNS else []
            for c in COLUMNS
        }
        for c in OPTIONAL_COLUMNS:
            cols[c] = cols[c] or [None] * table.num_rows
        entries = {}
        for i, path in enumerate(cols["path"]):
            extra = cols["extra"][i]
            entries[path] = ArtifactManifestEntry(
                path=path,
                digest=cols["digest"][i],
                size=cols["size"][i],
                sha256=cols["sha256"][i],
                ref=cols["ref"][i],
                birth_artifact_id=cols["birth_artifact"][i],
                extra=json.loads(extra) if extra else {},
                pack=cols["pack"][i],
                offset=cols["offset"][i],
            )
        return cls(entries)
