"""Request and response shapes of the artifact routes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..projects.models import MAX_ARTIFACT_TTL_DAYS

__all__ = [
    "MAX_BLOBS_PER_REQUEST",
    "AliasChange",
    "ArtifactCollection",
    "ArtifactCollections",
    "ArtifactLog",
    "ArtifactVersion",
    "ArtifactVersions",
    "BlobGrant",
    "BlobGrants",
    "BlobRequest",
    "BlobsRequest",
    "DiffEntry",
    "DiffPage",
    "FileEntry",
    "FilePage",
    "GcResult",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "ManifestGrant",
    "ManifestRequest",
    "MultipartComplete",
    "MultipartResume",
    "PackGrant",
    "PackRequest",
    "PartGrant",
    "RunArtifacts",
    "TtlChange",
    "UseRequest",
    "VersionRuns",
]

MAX_BLOBS_PER_REQUEST = 1000
# A pack is read whole when a version naming it is committed, so it stays a size a function can hold.
MAX_PACK_BYTES = 256 << 20
MAX_PACK_MEMBER_BYTES = 16 << 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BlobRequest(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the bytes")
    size: int = Field(ge=0, le=5 * 2**40)


class BlobsRequest(_Strict):
    items: list[BlobRequest] = Field(min_length=1, max_length=MAX_BLOBS_PER_REQUEST)
    collection: str | None = Field(
        default=None,
        max_length=128,
        description="the collection being logged: blobs its latest version holds are present",
    )
    multipart_threshold: int | None = Field(
        default=None, ge=5 * 2**20, description="bytes above which a blob goes in parts"
    )
    pack_below: int = Field(
        default=0,
        ge=0,
        le=MAX_PACK_MEMBER_BYTES,
        description="blobs smaller than this that are not stored yet are answered `packable`: the "
        "client sends them concatenated in packs (POST .../packs) instead of one PUT each",
    )


class PartGrant(BaseModel):
    part_number: int
    url: str
    size: int


class BlobGrant(BaseModel):
    sha256: str
    present: bool = Field(description="already stored where this collection can use it: nothing to upload")
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    upload_id: str | None = Field(
        default=None, description="multipart: PUT each part, then POST .../blobs/complete"
    )
    parts: list[PartGrant] = Field(default_factory=list)
    packable: bool = Field(default=False, description="not stored: send it in a pack (POST .../packs)")
    pack: str | None = Field(default=None, description="present inside this pack (its SHA-256) ...")
    offset: int | None = Field(default=None, description="... at this offset; name both in the manifest")


class BlobGrants(BaseModel):
    items: list[BlobGrant]
    expires_s: int


class MultipartComplete(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    upload_id: str = Field(min_length=1, max_length=1024)
    parts: list[tuple[int, str]] = Field(min_length=1, max_length=10_000, description="(part number, ETag)")


class MultipartResume(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    upload_id: str = Field(min_length=1, max_length=1024)
    part_size: int = Field(ge=5 * 2**20)
    parts: list[int] = Field(max_length=10_000, description="part numbers still to upload")


class ManifestRequest(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the manifest Parquet file")
    size: int = Field(ge=1, le=2**31)


class ManifestGrant(BaseModel):
    present: bool
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)


class PackRequest(_Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the whole pack")
    size: int = Field(ge=1, le=MAX_PACK_BYTES)


class PackGrant(ManifestGrant):
    """A checksummed PUT of one pack; `present` when the same pack was uploaded before."""


class ArtifactLog(_Strict):
    """Commit a version: its manifest is already uploaded (ManifestRequest), its blobs too."""

    name: str = Field(min_length=1, max_length=128)
    type: str = Field(min_length=1, max_length=64)
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    digest: str = Field(
        pattern=r"^[0-9a-f]{32}$", description="wandb's artifact digest (MD5 hex) of the manifest"
    )
    description: str | None = Field(default=None, max_length=100_000)
    metadata: dict[str, Any] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list, max_length=64)
    tags: list[str] = Field(default_factory=list, max_length=64)
    run_id: str | None = Field(default=None, max_length=64, description="the run logging it (lineage)")
    ttl_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ARTIFACT_TTL_DAYS,
        description="days the version is kept after it is created; null: kept forever; omitted: the "
        "project's artifact_ttl_days (inherited)",
    )


class TtlChange(_Strict):
    """A version's TTL: `{"ttl_days": N}`, `{"ttl_days": null}` (kept forever, whatever the project's
    default) or `{"inherit": true}` (the project's artifact_ttl_days)."""

    ttl_days: int | None = Field(
        default=None, ge=1, le=MAX_ARTIFACT_TTL_DAYS, description="null: kept forever"
    )
    inherit: bool = Field(default=False, description="follow the project's artifact_ttl_days")


class ArtifactVersion(BaseModel):
    id: str = Field(description="project:name:vN")
    project_id: str
    name: str
    type: str
    version: str = Field(description="vN")
    index: int
    digest: str
    manifest_sha256: str
    file_count: int
    size: int
    description: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list, description="user aliases, plus latest on the newest")
    tags: list[str] = Field(default_factory=list)
    state: str = Field(description="committed or deleted")
    created_at: str
    created_by: str | None = None
    logged_by_run: str | None = None
    ttl_days: int | None = Field(
        default=None, description="days it is kept after created_at, its own or inherited; null: forever"
    )
    ttl_inherited: bool = Field(default=True, description="ttl_days is the project's artifact_ttl_days")
    expires_at: str | None = Field(default=None, description="when it is deleted; null: never")
    created: bool = Field(default=True, description="false when identical content made no new version")


class ArtifactVersions(BaseModel):
    versions: list[ArtifactVersion]


class ArtifactCollection(BaseModel):
    project_id: str
    name: str
    type: str
    description: str | None = None
    version_count: int
    latest: str | None = None
    created_at: str
    updated_at: str


class ArtifactCollections(BaseModel):
    collections: list[ArtifactCollection]


class AliasChange(_Strict):
    add: list[str] = Field(default_factory=list, max_length=64)
    remove: list[str] = Field(default_factory=list, max_length=64)


class UseRequest(_Strict):
    artifact: str = Field(min_length=1, max_length=300, description="name:alias, name:vN or name (latest)")
    project_id: str | None = Field(
        default=None, description="another project's artifact; the run's own by default"
    )


class FileEntry(BaseModel):
    path: str
    digest: str
    size: int | None
    sha256: str | None = None
    ref: str | None = None
    birth_artifact: str | None = None
    extra: dict[str, Any] | None = None
    url: str | None = Field(default=None, description="a presigned GET of a stored entry, when asked for")
    offset: int | None = Field(
        default=None,
        description="set for a small entry kept in a pack: `url` is the pack's, and the entry is "
        "`size` bytes from here (GET with `Range: bytes=offset-(offset+size-1)`)",
    )


class FilePage(BaseModel):
    entries: list[FileEntry]
    total: int
    offset: int
    url_expires_s: int | None = None


class DiffEntry(BaseModel):
    path: str
    change: str = Field(description="added, removed or changed")
    old_size: int | None = None
    new_size: int | None = None


class DiffPage(BaseModel):
    entries: list[DiffEntry]
    total: int
    offset: int
    added: int
    removed: int
    changed: int


class RunArtifacts(BaseModel):
    used: list[ArtifactVersion]
    logged: list[ArtifactVersion]


class VersionRuns(BaseModel):
    logged_by: str | None
    used_by: list[str]


class GcResult(BaseModel):
    deleted_blobs: int
    deleted_manifests: int
    live_versions: int = Field(description="distinct manifests still named by a live version")


class LineageNode(BaseModel):
    id: str
    kind: str = Field(description="run or artifact")
    label: str


class LineageEdge(BaseModel):
    source: str
    target: str


class LineageGraph(BaseModel):
    nodes: list[LineageNode]
    edges: list[LineageEdge]
