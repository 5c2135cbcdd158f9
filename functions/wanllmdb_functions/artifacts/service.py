"""Artifacts: upload grants for blobs and manifests, versions committed exactly once, aliases, lineage.

Logging a version is: blobs (content-addressed, PUT through grants that pin their SHA-256; small ones
concatenated into packs, one PUT per pack), then the manifest (one Parquet object), then `log`, which
reads the manifest back, recomputes wandb's digest, checks every blob it names is stored (and that
every packed entry's bytes in a pack it has not checked before hash to the entry's SHA-256), and
commits in one transaction:
  - the collection item, conditional on the version counter it read (so two writers get v0 and v1,
    never the same number and never a gap),
  - the version item and a (collection, digest) item, both conditional on not existing (so identical
    content makes no second version: it returns the first, `created: false`),
  - the aliases it asked for.
A lost race re-reads and tries again. Deleting a version is soft; `gc` removes the blobs and
manifests no live version names.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, InvalidInput, NotFound
from ..core.policy import Permission, authorize
from ..core.request_scope import note_activity
from ..core.settings import Settings
from ..core.values import now_iso
from ..lake.keys import artifact_blob_key, artifact_manifest_key, artifact_pack_key
from ..ports import BlobStore, Condition, Item, ItemStore, PresignedRequest, TransactOp
from ..projects import keys as project_keys
from ..projects.grants import resource_ref
from ..projects.service import ProjectService, ref_from_item
from ..runs.lookup import authorized_run_item
from . import keys, ttl
from .manifest import Manifest, ManifestCache, diff_manifests, entry_extra, read_manifest, wandb_digest
from .models import (
    AliasChange,
    ArtifactCollection,
    ArtifactLog,
    ArtifactVersion,
    BlobGrant,
    BlobGrants,
    BlobsRequest,
    DiffEntry,
    DiffPage,
    FileEntry,
    FilePage,
    GcResult,
    LineageEdge,
    LineageGraph,
    LineageNode,
    ManifestGrant,
    ManifestRequest,
    MultipartComplete,
    MultipartResume,
    PackGrant,
    PackRequest,
    PartGrant,
    RunArtifacts,
    TtlChange,
    UseRequest,
    VersionRuns,
)
from .names import RESERVED_ALIAS, VERSION_ALIAS, check_alias, check_name, check_type, parse_reference

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["ArtifactService"]

DEFAULT_MULTIPART_BYTES = 64 << 20
MAX_PART_BYTES = 512 << 20
MAX_PARTS = 10_000
_MAX_RACES = 16
_HEAD_THREADS = 32
_PACK_CHECK_THREADS = 4
MAX_FILE_PAGE = 1000
MAX_LINEAGE_DEPTH = 10


@dataclass(frozen=True)
class _Known:
    """What the collection's latest version already stores: blobs of their own, and packed blobs
    with where they are. Checked when that version was committed, so trusted without a request."""

    blobs: set[str] = field(default_factory=set)
    packed: dict[str, tuple[str, int]] = field(default_factory=dict)


def _version_model(
    item: Item, aliases: list[str], *, default_ttl_days: int | None, created: bool = True
) -> ArtifactVersion:
    """`default_ttl_days`: the project's artifact_ttl_days, what an inheriting version's TTL is."""
    fields = {k: v for k, v in item.items() if k in ArtifactVersion.model_fields}
    expiry = ttl.ttl_view(item, default_ttl_days).fields()
    return ArtifactVersion.model_validate({**fields, **expiry, "aliases": aliases, "created": created})


class ArtifactService:
    def __init__(
        self,
        items: ItemStore,
        blobs: BlobStore,
        settings: Settings,
        *,
        manifests: ManifestCache | None = None,
    ) -> None:
        self._items = items
        self._blobs = blobs
        self._settings = settings
        self._projects = ProjectService(items)
        self._manifests = manifests if manifests is not None else ManifestCache(max_entries=0)

    @classmethod
    def of(cls, state: AppState) -> ArtifactService:
        manifests = state.shared(ManifestCache, lambda _settings: ManifestCache())
        return cls(state.storage.items, state.storage.blobs, state.settings, manifests=manifests)

    @property
    def _ttl(self) -> int:
        return int(self._settings.grant_ttl_s)

    def _authorize(
        self, caller: Caller, permission: Permission, project_id: str, name: str | None = None
    ) -> Item:
        """The one policy check; on one collection (`name`) its resource grants count too. Returns the
        project's item (its artifact_ttl_days is the TTL of the versions that inherit it)."""
        project = self._projects.get_item(project_id)
        ref = ref_from_item(project)
        authorize(
            caller, permission, ref if name is None else resource_ref(self._items, ref, "artifact", name)
        )
        return project

    def _default_ttl_of(self, project_id: str) -> int | None:
        project = self._items.get(*project_keys.project(project_id))
        return None if project is None else ttl.default_days(project)

    # -- reading the store ---------------------------------------------------------------------------
    def _collection(self, project_id: str, name: str) -> Item | None:
        return self._items.get(*keys.collection(project_id, name))

    def _aliases_of(self, project_id: str, name: str) -> dict[int, list[str]]:
        """version index → its user aliases, plus `latest` on the newest live version."""
        out: dict[int, list[str]] = {}
        prefix = keys.aliases_prefix(name)
        for item in self._items.query_all(keys.artifacts_of(project_id), sk_prefix=prefix, page_size=500):
            out.setdefault(int(item["index"]), []).append(item["alias"])
        collection = self._collection(project_id, name)
        if collection is not None and collection.get("latest") is not None:
            out.setdefault(int(collection["latest"]), []).insert(0, RESERVED_ALIAS)
        return {k: sorted(v, key=lambda a: (a != RESERVED_ALIAS, a)) for k, v in out.items()}

    def _version_item(self, project_id: str, name: str, label: str) -> Item:
        """The version `label` names: vN, latest or a user alias. NotFound names what was asked for."""
        check_name(name)
        index: int | None = None
        if VERSION_ALIAS.fullmatch(label):
            index = int(label[1:])
        elif label == RESERVED_ALIAS:
            collection = self._collection(project_id, name)
            latest = None if collection is None else collection.get("latest")
            index = None if latest is None else int(latest)
        else:
            alias = self._items.get(*keys.alias(project_id, name, label))
            index = None if alias is None else int(alias["index"])
        item = None if index is None else self._items.get(*keys.version(project_id, name, index))
        if item is None or item.get("state") == "deleted":
            raise NotFound(f"no artifact {name}:{label} in project {project_id}", field="artifact")
        return item

    def _manifest(self, project_id: str, sha256: str, *, fresh: bool = False) -> Manifest:
        """The manifest, from the cache unless `fresh` (a commit checks the object is really there:
        gc may have deleted it since it was cached)."""
        cached = None if fresh else self._manifests.get(project_id, sha256)
        if cached is not None:
            return cached
        key = artifact_manifest_key(project_id, sha256)
        try:
            manifest = read_manifest(self._blobs.get(key))
        except NotFound:
            raise InvalidInput(
                "manifest_sha256: no manifest with that SHA-256 was uploaded; POST it to "
                "/artifacts/manifests first",
                field="manifest_sha256",
            ) from None
        self._manifests.put(project_id, sha256, manifest)
        return manifest

    def _latest_blobs(self, project_id: str, name: str | None) -> _Known:
        if name is None:
            return _Known()
        collection = self._collection(project_id, name)
        if collection is None or collection.get("latest") is None:
            return _Known()
        latest = self._items.get(*keys.version(project_id, name, int(collection["latest"])))
        if latest is None:
            return _Known()
        manifest = self._manifest(project_id, latest["manifest_sha256"])
        return _Known(set(manifest.stored_blobs()), manifest.packed())

    def _stored(self, project_id: str, shas: Iterable[str]) -> dict[str, bool]:
        """Which of these blobs exist, asked in parallel (each is one HEAD)."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        with ThreadPoolExecutor(min(_HEAD_THREADS, len(wanted))) as pool:
            found = pool.map(
                lambda sha: self._blobs.head(artifact_blob_key(project_id, sha)) is not None, wanted
            )
            return dict(zip(wanted, found, strict=True))

    # -- uploads -------------------------------------------------------------------------------------
    def grant_blobs(self, caller: Caller, project_id: str, body: BlobsRequest) -> BlobGrants:
        """A grant per blob not yet stored in the project: one checksummed PUT, or parts above the
        multipart threshold. Blobs the collection's latest version holds are answered without a HEAD,
        with their pack and offset when packed. Below `pack_below`, a blob not held there is answered
        `packable` without a HEAD either: a pack costs one request for thousands of small files, so
        looking for each of them elsewhere in the project would cost more than sending it again."""
        self._authorize(caller, Permission.ARTIFACT_WRITE, project_id)
        if body.collection is not None:
            check_name(body.collection, field="collection")
        known = self._latest_blobs(project_id, body.collection)

        def unknown(sha256: str) -> bool:
            return sha256 not in known.blobs and sha256 not in known.packed

        stored = self._stored(
            project_id,
            (i.sha256 for i in body.items if unknown(i.sha256) and not 0 < i.size < body.pack_below),
        )
        threshold = body.multipart_threshold or DEFAULT_MULTIPART_BYTES
        grants: list[BlobGrant] = []
        for item in body.items:
            if item.sha256 in known.blobs or stored.get(item.sha256):
                grants.append(BlobGrant(sha256=item.sha256, present=True))
                continue
            if item.sha256 in known.packed:
                pack, offset = known.packed[item.sha256]
                grants.append(BlobGrant(sha256=item.sha256, present=True, pack=pack, offset=offset))
                continue
            if 0 < item.size < body.pack_below:  # empty files go alone: packs are never empty
                grants.append(BlobGrant(sha256=item.sha256, present=False, packable=True))
                continue
            key = artifact_blob_key(project_id, item.sha256)
            if item.size > threshold:
                upload_id = self._blobs.create_multipart(key, content_type="application/octet-stream")
                part_size = _part_size(item.size, threshold)
                parts = self._part_grants(
                    key, upload_id, item.size, part_size, range(1, _parts(item.size, part_size) + 1)
                )
                grants.append(BlobGrant(sha256=item.sha256, present=False, upload_id=upload_id, parts=parts))
                continue
            put = self._blobs.presign_put(
                key,
                expires_s=self._ttl,
                content_length=item.size,
                content_type="application/octet-stream",
                sha256_hex=item.sha256,
            )
            grants.append(BlobGrant(sha256=item.sha256, present=False, url=put.url, headers=put.headers))
        return BlobGrants(items=grants, expires_s=self._ttl)

    def _part_grants(
        self, key: str, upload_id: str, size: int, part_size: int, numbers: Iterable[int]
    ) -> list[PartGrant]:
        out = []
        for number in numbers:
            length = min(part_size, size - (number - 1) * part_size)
            part = self._blobs.presign_part(
                key, upload_id, number, expires_s=self._ttl, content_length=length
            )
            out.append(PartGrant(part_number=number, url=part.url, size=length))
        return out

    def resume_multipart(self, caller: Caller, project_id: str, body: MultipartResume) -> BlobGrant:
        """Fresh part URLs for the parts an interrupted upload still lacks (its upload id survives)."""
        self._authorize(caller, Permission.ARTIFACT_WRITE, project_id)
        total = _parts(body.size, body.part_size)
        if total > MAX_PARTS or any(not 1 <= n <= total for n in body.parts):
            raise InvalidInput(
                f"parts: part numbers run 1..{total} for this size and part_size", field="parts"
            )
        key = artifact_blob_key(project_id, body.sha256)
        parts = self._part_grants(key, body.upload_id, body.size, body.part_size, sorted(set(body.parts)))
        return BlobGrant(sha256=body.sha256, present=False, upload_id=body.upload_id, parts=parts)

    def complete_multipart(self, caller: Caller, project_id: str, body: MultipartComplete) -> None:
        self._authorize(caller, Permission.ARTIFACT_WRITE, project_id)
        key = artifact_blob_key(project_id, body.sha256)
        self._blobs.complete_multipart(key, body.upload_id, sorted(body.parts))

    def grant_manifest(self, caller: Caller, project_id: str, body: ManifestRequest) -> ManifestGrant:
        self._authorize(caller, Permission.ARTIFACT_WRITE, project_id)
        key = artifact_manifest_key(project_id, body.sha256)
        present, put = self._checksummed_put(key, body.sha256, body.size, "application/vnd.apache.parquet")
        return ManifestGrant(
            present=present, url=put.url if put else None, headers=put.headers if put else {}
        )

    def grant_pack(self, caller: Caller, project_id: str, body: PackRequest) -> PackGrant:
        """A PUT for one pack of small blobs. Nothing about its members is trusted yet: `log` checks
        each packed entry's bytes against its SHA-256 before a version may name the pack."""
        self._authorize(caller, Permission.ARTIFACT_WRITE, project_id)
        key = artifact_pack_key(project_id, body.sha256)
        present, put = self._checksummed_put(key, body.sha256, body.size, "application/octet-stream")
        return PackGrant(present=present, url=put.url if put else None, headers=put.headers if put else {})

    def _checksummed_put(
        self, key: str, sha256: str, size: int, content_type: str
    ) -> tuple[bool, PresignedRequest | None]:
        """(present, None) when `key` is stored already, else (False, a PUT pinned to the bytes)."""
        if self._blobs.head(key) is not None:
            return True, None
        put = self._blobs.presign_put(
            key, expires_s=self._ttl, content_length=size, content_type=content_type, sha256_hex=sha256
        )
        return False, put

    # -- commit --------------------------------------------------------------------------------------
    def log(self, caller: Caller, project_id: str, body: ArtifactLog) -> ArtifactVersion:
        project = self._authorize(caller, Permission.ARTIFACT_WRITE, project_id, body.name)
        default_ttl = ttl.default_days(project)
        name, kind = check_name(body.name), check_type(body.type)
        aliases = sorted({check_alias(a) for a in body.aliases})
        own_ttl = "ttl_days" in body.model_fields_set  # omitted: the version inherits the project's
        if own_ttl:
            ttl.refuse_kept(self._items, None, body.ttl_days, aliases=aliases)
        run_id = None
        if body.run_id is not None:
            run = authorized_run_item(
                self._items, self._projects, caller, body.run_id, Permission.RUN_WRITE, project_id=project_id
            )
            if run["project_id"] != project_id:
                raise InvalidInput("run_id: the run belongs to another project", field="run_id")
            run_id = run["id"]
        manifest = self._manifest(project_id, body.manifest_sha256, fresh=True)
        frame = manifest.frame
        digest = wandb_digest(frame.get_column("path").to_list(), frame.get_column("digest").to_list())
        if digest != body.digest:
            raise InvalidInput(
                f"digest: the manifest's digest is {digest}, not {body.digest}; recompute it from the "
                "manifest",
                field="digest",
            )
        known = self._latest_blobs(project_id, name)
        missing = [
            sha
            for sha, ok in self._stored(project_id, set(manifest.stored_blobs()) - known.blobs).items()
            if not ok
        ]
        if missing:
            paths = frame.filter(pl.col("sha256").is_in(missing[:5])).get_column("path").to_list()
            raise InvalidInput(
                f"manifest_sha256: {len(missing)} entries' bytes are not uploaded (e.g. {paths}); "
                "upload them through /artifacts/blobs first",
                field="manifest_sha256",
            )
        self._check_packed(project_id, manifest, known)
        for _ in range(_MAX_RACES):
            existing = self._items.get(*keys.digest(project_id, name, digest))
            if existing is not None:
                version = self._items.get(*keys.version(project_id, name, int(existing["index"])))
                if version is not None and version.get("state") != "deleted":
                    if own_ttl:  # the same content logged with a TTL: the version gets it
                        version = self._apply_ttl(
                            version, inherit=False, days=body.ttl_days, default_ttl=default_ttl
                        )
                    self._move_aliases(project_id, name, int(version["index"]), aliases)
                    self._record_logged(run_id, version)
                    return _version_model(
                        version,
                        self._aliases_of(project_id, name).get(int(version["index"]), []),
                        default_ttl_days=default_ttl,
                        created=False,
                    )
            try:
                version = self._commit(
                    caller, project_id, name, kind, body, manifest, digest, aliases, run_id, default_ttl
                )
            except ConditionFailed:
                continue  # another writer took this number, or logged the same content: look again
            self._record_logged(run_id, version)
            return _version_model(
                version,
                self._aliases_of(project_id, name).get(int(version["index"]), []),
                default_ttl_days=default_ttl,
            )
        raise Conflict(f"artifact {name}: too many concurrent versions; retry", field="name")

    def _check_packed(self, project_id: str, manifest: Manifest, known: _Known) -> None:
        """Every packed entry's bytes hash to its SHA-256, unless the latest version holds the same
        bytes at the same place (checked when it was committed). Packs are read whole, a few at once."""
        rows = (
            manifest.frame.filter(pl.col("pack").is_not_null())
            .unique(["sha256", "pack", "offset"])
            .select("pack", "offset", "size", "sha256", "path")
        )
        todo: dict[str, list[tuple[int, int, str, str]]] = {}
        for pack, offset, size, sha, path in rows.iter_rows():
            if known.packed.get(sha) != (pack, offset):
                todo.setdefault(pack, []).append((int(offset), int(size), sha, path))
        if not todo:
            return

        def check(pack: str) -> None:
            try:
                data = memoryview(self._blobs.get(artifact_pack_key(project_id, pack)))
            except NotFound:
                raise InvalidInput(
                    f"manifest_sha256: pack {pack} (holding {todo[pack][0][3]!r}) is not uploaded; "
                    "PUT it through /artifacts/packs first",
                    field="manifest_sha256",
                ) from None
            for offset, size, sha, path in todo[pack]:
                end = offset + size
                if end > len(data) or hashlib.sha256(data[offset:end]).hexdigest() != sha:
                    raise InvalidInput(
                        f"manifest_sha256: entry {path!r}: the {size} bytes at offset {offset} of pack "
                        f"{pack} are not the bytes its sha256 names (did the file change while it was "
                        "being logged?); log it again",
                        field="manifest_sha256",
                    )

        with ThreadPoolExecutor(min(_PACK_CHECK_THREADS, len(todo))) as pool:
            list(pool.map(check, todo))

    def _commit(
        self,
        caller: Caller,
        project_id: str,
        name: str,
        kind: str,
        body: ArtifactLog,
        manifest: Manifest,
        digest: str,
        aliases: list[str],
        run_id: str | None,
        default_ttl: int | None,
    ) -> Item:
        at = now_iso()
        collection = self._collection(project_id, name)
        if collection is not None and collection["type"] != kind:
            raise InvalidInput(
                f"type: artifact {name} is a {collection['type']!r}, not {kind!r}; use another name",
                field="type",
            )
        index = 0 if collection is None else int(collection["next_index"])
        pk, sk = keys.collection(project_id, name)
        new_collection: Item = {
            **(
                collection
                or {
                    "pk": pk,
                    "sk": sk,
                    "project_id": project_id,
                    "name": name,
                    "type": kind,
                    "created_at": at,
                }
            ),
            "next_index": index + 1,
            "latest": index,
            "updated_at": at,
            "version_count": int((collection or {}).get("version_count", 0)) + 1,
        }
        if body.description is not None:
            new_collection["description"] = body.description
        vpk, vsk = keys.version(project_id, name, index)
        version: Item = {
            "pk": vpk,
            "sk": vsk,
            "id": keys.version_id(project_id, name, index),
            "project_id": project_id,
            "name": name,
            "type": kind,
            "version": f"v{index}",
            "index": index,
            "digest": digest,
            "manifest_sha256": body.manifest_sha256,
            "file_count": manifest.file_count,
            "size": manifest.size,
            "description": body.description,
            "metadata": body.metadata,
            "tags": sorted(set(body.tags)),
            "state": "committed",
            "created_at": at,
            "created_by": caller.username,
            "logged_by_run": run_id,
            "ttl_inherit": "ttl_days" not in body.model_fields_set,
            "ttl_days": body.ttl_days,
        }
        version.update(ttl.due_attrs(version, ttl.ttl_view(version, default_ttl).expires_at)[0])
        dpk, dsk = keys.digest(project_id, name, digest)
        ops = [
            TransactOp(
                "put",
                new_collection,
                Condition.not_exists() if collection is None else Condition.equals("next_index", index),
            ),
            TransactOp("put", version, Condition.not_exists()),
            TransactOp("put", {"pk": dpk, "sk": dsk, "index": index}, Condition.not_exists()),
        ]
        ops += [TransactOp("put", self._alias_item(project_id, name, alias, index)) for alias in aliases]
        self._items.transact_write(ops)
        return version

    def _alias_item(self, project_id: str, name: str, alias: str, index: int) -> Item:
        pk, sk = keys.alias(project_id, name, alias)
        return {"pk": pk, "sk": sk, "alias": alias, "index": index}

    def _move_aliases(self, project_id: str, name: str, index: int, aliases: list[str]) -> None:
        for alias in aliases:
            self._items.put(self._alias_item(project_id, name, alias, index))

    def _record_logged(self, run_id: str | None, version: Item) -> None:
        if run_id is None:
            return
        pk, sk = keys.logged_edge(run_id, version["id"])
        self._items.put({"pk": pk, "sk": sk, **_edge(version)})

    # -- reading -------------------------------------------------------------------------------------
    def collections(
        self, caller: Caller, project_id: str, *, type: str | None = None, name: str | None = None
    ) -> list[ArtifactCollection]:
        self._authorize(caller, Permission.ARTIFACT_READ, project_id)
        found = self._items.query_all(
            keys.artifacts_of(project_id), sk_prefix=keys.COLLECTION_PREFIX, page_size=500
        )
        out = []
        for item in found:
            if (type is not None and item["type"] != type) or (name is not None and name not in item["name"]):
                continue
            latest = item.get("latest")
            out.append(
                ArtifactCollection(
                    project_id=project_id,
                    name=item["name"],
                    type=item["type"],
                    description=item.get("description"),
                    version_count=int(item.get("version_count", 0)),
                    latest=None if latest is None else f"v{latest}",
                    created_at=item["created_at"],
                    updated_at=item["updated_at"],
                )
            )
        return sorted(out, key=lambda c: (c.type, c.name.casefold()))

    def versions(self, caller: Caller, project_id: str, name: str) -> list[ArtifactVersion]:
        default_ttl = ttl.default_days(self._authorize(caller, Permission.ARTIFACT_READ, project_id, name))
        check_name(name)
        aliases = self._aliases_of(project_id, name)
        found = self._items.query_all(
            keys.artifacts_of(project_id), sk_prefix=keys.versions_prefix(name), page_size=500
        )
        return [
            _version_model(item, aliases.get(int(item["index"]), []), default_ttl_days=default_ttl)
            for item in found
            if item.get("state") != "deleted"
        ]

    def version(self, caller: Caller, project_id: str, name: str, label: str) -> ArtifactVersion:
        project = self._authorize(caller, Permission.ARTIFACT_READ, project_id, name)
        item = self._version_item(project_id, name, label)
        return _version_model(
            item,
            self._aliases_of(project_id, name).get(int(item["index"]), []),
            default_ttl_days=ttl.default_days(project),
        )

    def manifest_url(self, caller: Caller, project_id: str, name: str, label: str) -> str:
        """A presigned GET of the version's manifest (the SDK reads it whole)."""
        self._authorize(caller, Permission.ARTIFACT_READ, project_id, name)
        return self.manifest_url_of(self._version_item(project_id, name, label))

    def files(
        self,
        caller: Caller,
        project_id: str,
        name: str,
        label: str,
        *,
        prefix: str = "",
        offset: int = 0,
        limit: int = 100,
        urls: bool = False,
    ) -> FilePage:
        """One page of the version's entries under `prefix`, by path; presigned GETs on request."""
        self._authorize(caller, Permission.ARTIFACT_READ, project_id, name)
        item = self._version_item(project_id, name, label)
        return self.page_of(item, prefix=prefix, offset=offset, limit=limit, urls=urls)

    def linked_version(self, project_id: str, name: str, index: int) -> Item:
        """A version a registry links to, deleted or not (the link keeps its files; gc knows). The
        registry authorizes its caller itself, on the registry."""
        item = self._items.get(*keys.version(project_id, name, index))
        if item is None:
            raise NotFound(f"artifact {name}:v{index} in project {project_id} is gone", field="artifact")
        return item

    def manifest_url_of(self, item: Item) -> str:
        return self._blobs.presign_get(
            artifact_manifest_key(item["project_id"], item["manifest_sha256"]), expires_s=self._ttl
        ).url

    def page_of(
        self, item: Item, *, prefix: str = "", offset: int = 0, limit: int = 100, urls: bool = False
    ) -> FilePage:
        """One page of the entries of the version `item`, whose reader is already authorized."""
        if not 1 <= limit <= MAX_FILE_PAGE:
            raise InvalidInput(f"limit must be 1..{MAX_FILE_PAGE}", field="limit")
        project_id = item["project_id"]
        frame = self._manifest(project_id, item["manifest_sha256"]).frame
        if prefix:
            frame = frame.filter(pl.col("path").str.starts_with(prefix))
        page = frame.slice(offset, limit)
        pack_urls: dict[str, str] = {}  # a page of small files is mostly one pack: sign it once

        def url_of(row: dict[str, Any]) -> str | None:
            if not urls or row["sha256"] is None:
                return None
            if row["pack"] is None:
                return self._blobs.presign_get(
                    artifact_blob_key(project_id, row["sha256"]), expires_s=self._ttl
                ).url
            if row["pack"] not in pack_urls:
                key = artifact_pack_key(project_id, row["pack"])
                pack_urls[row["pack"]] = self._blobs.presign_get(key, expires_s=self._ttl).url
            return pack_urls[row["pack"]]

        entries = []
        for row in page.iter_rows(named=True):
            fields = {k: v for k, v in row.items() if k != "pack"}
            entries.append(FileEntry(**{**fields, "extra": entry_extra(row["extra"]), "url": url_of(row)}))
        return FilePage(
            entries=entries, total=frame.height, offset=offset, url_expires_s=self._ttl if urls else None
        )

    def diff(
        self,
        caller: Caller,
        project_id: str,
        name: str,
        old: str,
        new: str,
        *,
        offset: int = 0,
        limit: int = 100,
    ) -> DiffPage:
        self._authorize(caller, Permission.ARTIFACT_READ, project_id, name)
        if not 1 <= limit <= MAX_FILE_PAGE:
            raise InvalidInput(f"limit must be 1..{MAX_FILE_PAGE}", field="limit")
        a, b = self._version_item(project_id, name, old), self._version_item(project_id, name, new)
        changes = diff_manifests(
            self._manifest(project_id, a["manifest_sha256"]), self._manifest(project_id, b["manifest_sha256"])
        )
        counts = dict(changes.group_by("change").len().iter_rows())
        page = changes.slice(offset, limit)
        return DiffPage(
            entries=[DiffEntry(**row) for row in page.iter_rows(named=True)],
            total=changes.height,
            offset=offset,
            added=int(counts.get("added", 0)),
            removed=int(counts.get("removed", 0)),
            changed=int(counts.get("changed", 0)),
        )

    # -- aliases and deletion ------------------------------------------------------------------------
    def change_aliases(
        self, caller: Caller, project_id: str, name: str, label: str, body: AliasChange
    ) -> ArtifactVersion:
        project = self._authorize(caller, Permission.ARTIFACT_WRITE, project_id, name)
        item = self._version_item(project_id, name, label)
        index = int(item["index"])
        for alias in {check_alias(a, field="add") for a in body.add}:
            self._items.put(self._alias_item(project_id, name, alias, index))
        for alias in {check_alias(a, field="remove") for a in body.remove}:
            # Only where it points at this version: removing never takes an alias off another one.
            with contextlib.suppress(ConditionFailed):
                self._items.delete(
                    *keys.alias(project_id, name, alias), condition=Condition.equals("index", index)
                )
        return _version_model(
            item,
            self._aliases_of(project_id, name).get(index, []),
            default_ttl_days=ttl.default_days(project),
        )

    def set_ttl(
        self, caller: Caller, project_id: str, name: str, label: str, body: TtlChange
    ) -> ArtifactVersion:
        """Set the version's TTL, keep it forever, or let it inherit the project's default. Refused (409)
        where that would make a version linked into the registry, or holding a protected alias, expire."""
        project = self._authorize(caller, Permission.ARTIFACT_WRITE, project_id, name)
        if body.inherit and body.ttl_days is not None:
            raise InvalidInput("ttl_days: give a number of days or inherit: true, not both", field="ttl_days")
        if not body.inherit and "ttl_days" not in body.model_fields_set:
            raise InvalidInput(
                "ttl_days: say how many days to keep the version (null: forever), or send inherit: true "
                "for the project's artifact_ttl_days",
                field="ttl_days",
            )
        default_ttl = ttl.default_days(project)
        item = self._version_item(project_id, name, label)
        item = self._apply_ttl(item, inherit=body.inherit, days=body.ttl_days, default_ttl=default_ttl)
        note_activity("artifact.ttl_changed", name)
        return _version_model(
            item, self._aliases_of(project_id, name).get(int(item["index"]), []), default_ttl_days=default_ttl
        )

    def _apply_ttl(self, item: Item, *, inherit: bool, days: int | None, default_ttl: int | None) -> Item:
        """Store the version's own TTL setting and move it in the expiry index (ttl.py)."""
        ttl.refuse_kept(self._items, item, default_ttl if inherit else days)
        setting = {"ttl_inherit": inherit, "ttl_days": None if inherit else days}
        set_attrs, remove = ttl.due_attrs(item, ttl.ttl_view({**item, **setting}, default_ttl).expires_at)
        try:
            # Only while it is live: a version deleted meanwhile does not come back into the index.
            return self._items.update(
                item["pk"],
                item["sk"],
                set_attrs={**setting, **set_attrs},
                remove=remove,
                condition=Condition.equals("state", "committed"),
            )
        except ConditionFailed:
            raise NotFound(
                f"no artifact {item['name']}:v{item['index']} in project {item['project_id']}",
                field="artifact",
            ) from None

    def delete(self, caller: Caller, project_id: str, name: str, label: str) -> None:
        """Soft: the version disappears from reads; its blobs go at the next `gc` unless still named."""
        self._authorize(caller, Permission.ARTIFACT_DELETE, project_id, name)
        self.soft_delete(self._version_item(project_id, name, label))

    def soft_delete(self, item: Item) -> bool:
        """Hide the version `item` from reads, free its digest and aliases and recount its collection:
        the one way a version is deleted, by a caller (`delete`) or by its TTL (retention.py). The caller
        is authorized already. Idempotent: False when another delete got there first."""
        project_id, name, index = item["project_id"], item["name"], int(item["index"])
        try:
            self._items.update(
                item["pk"],
                item["sk"],
                set_attrs={"state": "deleted", "deleted_at": now_iso()},
                remove=list(ttl.INDEX_ATTRS),
                condition=Condition.equals("state", "committed"),
            )
        except ConditionFailed:
            return False
        self._items.delete(*keys.digest(project_id, name, item["digest"]))
        for alias, at in [
            (a["alias"], int(a["index"]))
            for a in self._items.query_all(keys.artifacts_of(project_id), sk_prefix=keys.aliases_prefix(name))
        ]:
            if at == index:
                self._items.delete(*keys.alias(project_id, name, alias))
        live = [
            v
            for v in self._items.query_all(
                keys.artifacts_of(project_id), sk_prefix=keys.versions_prefix(name)
            )
            if v.get("state") != "deleted"
        ]
        latest = max((int(v["index"]) for v in live), default=None)
        pk, sk = keys.collection(project_id, name)
        self._items.update(
            pk, sk, set_attrs={"latest": latest, "version_count": len(live), "updated_at": now_iso()}
        )
        return True

    # -- lineage -------------------------------------------------------------------------------------
    def use(
        self, caller: Caller, run_id: str, body: UseRequest, *, run_project: str | None = None
    ) -> ArtifactVersion:
        """Record that the run used the version `body.artifact` names; idempotent. `body.project_id`
        is an id or `entity:name`, as in a route's path."""
        run = authorized_run_item(
            self._items, self._projects, caller, run_id, Permission.RUN_WRITE, project_id=run_project
        )
        project_id = (
            self._projects.resolve_id(caller, body.project_id) if body.project_id else run["project_id"]
        )
        name, label = parse_reference(body.artifact)
        project = self._authorize(caller, Permission.ARTIFACT_READ, project_id, name)
        item = self._version_item(project_id, name, label)
        for pk, sk in keys.used_edge(run["id"], item["id"]):
            self._items.put(
                {"pk": pk, "sk": sk, **_edge(item), "run_id": run["id"], "run_project_id": run["project_id"]}
            )
        return _version_model(
            item,
            self._aliases_of(project_id, name).get(int(item["index"]), []),
            default_ttl_days=ttl.default_days(project),
        )

    def run_artifacts(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> RunArtifacts:
        """What the run used and logged: one query of the run's edge partition."""
        run = authorized_run_item(
            self._items, self._projects, caller, run_id, Permission.RUN_READ, project_id=project_id
        )
        used: list[ArtifactVersion] = []
        logged: list[ArtifactVersion] = []
        defaults: dict[str, int | None] = {}  # a run's artifacts come from a project or two
        aliases: dict[tuple[str, str], dict[int, list[str]]] = {}  # ...and a collection or a few
        for edge in self._items.query_all(keys.runs_edges_of(run["id"]), page_size=500):
            target = used if edge["sk"].startswith(keys.USED_PREFIX) else logged
            project, name, index = edge["project_id"], edge["name"], int(edge["index"])
            version = self._items.get(*keys.version(project, name, index))
            if version is not None and version.get("state") != "deleted":
                if project not in defaults:
                    defaults[project] = self._default_ttl_of(project)
                if (project, name) not in aliases:
                    aliases[project, name] = self._aliases_of(project, name)
                target.append(
                    _version_model(
                        version, aliases[project, name].get(index, []), default_ttl_days=defaults[project]
                    )
                )
        return RunArtifacts(used=used, logged=logged)

    def version_runs(self, caller: Caller, project_id: str, name: str, label: str) -> VersionRuns:
        """Who logged the version (on the version) and who used it: one query of its edge partition."""
        self._authorize(caller, Permission.ARTIFACT_READ, project_id, name)
        item = self._version_item(project_id, name, label)
        users = [e["run_id"] for e in self._items.query_all(keys.version_edges_of(item["id"]), page_size=500)]
        return VersionRuns(logged_by=item.get("logged_by_run"), used_by=sorted(users))

    def lineage(
        self, caller: Caller, project_id: str, name: str, label: str, *, depth: int = 2
    ) -> LineageGraph:
        """The DAG around a version, `depth` hops each way: runs → versions they logged, versions →
        runs that used them, and back through what those runs used."""
        if not 1 <= depth <= MAX_LINEAGE_DEPTH:
            raise InvalidInput(f"depth must be 1..{MAX_LINEAGE_DEPTH}", field="depth")
        start = self.version(caller, project_id, name, label)
        nodes: dict[str, LineageNode] = {
            start.id: LineageNode(id=start.id, kind="artifact", label=f"{name}:{start.version}")
        }
        edges: set[tuple[str, str]] = set()
        frontier = [("artifact", start.id, start.logged_by_run)]
        for _ in range(depth):
            nxt: list[tuple[str, str, Any]] = []
            for kind, node_id, extra in frontier:
                for source, target, new in self._neighbours(kind, node_id, extra):
                    edges.add((source, target))
                    for node in new:
                        if node.id not in nodes:
                            nodes[node.id] = node
                            nxt.append((node.kind, node.id, None))
            frontier = nxt
        return LineageGraph(
            nodes=list(nodes.values()), edges=[LineageEdge(source=s, target=t) for s, t in sorted(edges)]
        )

    def _neighbours(
        self, kind: str, node_id: str, logged_by: str | None
    ) -> Iterator[tuple[str, str, list[LineageNode]]]:
        if kind == "artifact":
            project_id, name, version = node_id.rsplit(":", 2)
            item = self._items.get(*keys.version(project_id, name, int(version[1:])))
            producer = logged_by or (item or {}).get("logged_by_run")
            if producer:
                yield (
                    f"run:{producer}",
                    node_id,
                    [LineageNode(id=f"run:{producer}", kind="run", label=producer)],
                )
            for edge in self._items.query_all(keys.version_edges_of(node_id), page_size=500):
                run_node = f"run:{edge['run_id']}"
                yield node_id, run_node, [LineageNode(id=run_node, kind="run", label=edge["run_id"])]
            return
        run_id = node_id.removeprefix("run:")
        for edge in self._items.query_all(keys.runs_edges_of(run_id), page_size=500):
            vid = edge["id"]
            node = LineageNode(id=vid, kind="artifact", label=f"{edge['name']}:v{edge['index']}")
            if edge["sk"].startswith(keys.USED_PREFIX):
                yield vid, node_id, [node]
            else:
                yield node_id, vid, [node]

    # -- garbage collection --------------------------------------------------------------------------
    def gc(self, caller: Caller, project_id: str) -> GcResult:
        """Delete the blobs and manifests of `project_id` that no live version names. For project admins
        (`wanllmdb artifact gc`); a version logged while it runs keeps its blobs, because `log` checks
        them after upload and a blob deleted in between is uploaded again on retry."""
        self._authorize(caller, Permission.PROJECT_ADMIN, project_id)
        live_manifests: set[str] = set()
        live_blobs: set[str] = set()
        live_packs: set[str] = set()
        linked = ttl.linked_versions(self._items, project_id)
        for item in self._items.query_all(
            keys.artifacts_of(project_id), sk_prefix=keys.VERSION_PREFIX, page_size=500
        ):
            # A deleted version the registry links to keeps its files: the registered version reads them.
            if item.get("state") == "deleted" and (item["name"], int(item["index"])) not in linked:
                continue
            live_manifests.add(item["manifest_sha256"])
            manifest = self._manifest(project_id, item["manifest_sha256"])
            live_blobs |= set(manifest.stored_blobs())
            live_packs |= manifest.packs()
        blob_prefix = artifact_blob_key(project_id, "0" * 64).rsplit("/", 2)[0] + "/"
        pack_prefix = artifact_pack_key(project_id, "0" * 64).rsplit("/", 2)[0] + "/"
        manifest_prefix = artifact_manifest_key(project_id, "0" * 64).rsplit("/", 1)[0] + "/"
        blobs = manifests = 0
        # A pack goes only when no live entry is in it: the bytes of its dead members stay until then.
        for prefix, live in ((blob_prefix, live_blobs), (pack_prefix, live_packs)):
            for info in list(self._blobs.list(prefix)):
                if info.key.rsplit("/", 1)[-1] not in live:
                    self._blobs.delete(info.key)
                    blobs += 1
        for info in list(self._blobs.list(manifest_prefix)):
            if info.key.rsplit("/", 1)[-1].removesuffix(".parquet") not in live_manifests:
                self._blobs.delete(info.key)
                manifests += 1
        return GcResult(deleted_blobs=blobs, deleted_manifests=manifests, live_versions=len(live_manifests))


def _edge(version: Item) -> Item:
    return {
        "id": version["id"],
        "project_id": version["project_id"],
        "name": version["name"],
        "index": version["index"],
    }


def _parts(size: int, part_size: int) -> int:
    return max(1, -(-size // part_size))


def _part_size(size: int, threshold: int) -> int:
    """Parts of the threshold's size, grown so a blob never needs more than 10,000."""
    part = max(5 << 20, min(threshold, MAX_PART_BYTES))
    while _parts(size, part) > MAX_PARTS:
        part *= 2
    return part
