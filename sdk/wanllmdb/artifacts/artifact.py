"""``wanllmdb.Artifact``: wandb's artifact, built as a draft on this machine and then logged.

A draft only records what was added (a file's path and its stat); nothing is read on the caller's
thread. ``run.log_artifact`` returns at once: a background thread hashes (through the cache index, so an
unchanged file is not read again), uploads what the server lacks and commits the version;
``wait()`` blocks until then. A logged artifact (``use_artifact``, ``Api().artifact``) reads its manifest
once and downloads through the content-addressed cache (download.py).
"""

from __future__ import annotations

import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.draft import DraftBuilder, entry_name
from wanllmdb.artifacts.manifest import ArtifactManifest, ArtifactManifestEntry
from wanllmdb.artifacts.names import check_name, check_type
from wanllmdb.artifacts.ttl import ArtifactTTL, TtlSetting, check_ttl, ttl_of
from wanllmdb.errors import UsageError

if TYPE_CHECKING:
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.artifacts.source import VersionSource

__all__ = ["Artifact"]


class Artifact(DraftBuilder):
    """``Artifact(name, type, description=None, metadata=None, incremental=False)``, as wandb's."""

    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
        incremental: bool = False,
        use_as: str | None = None,
    ) -> None:
        self._name = check_name(name)
        self._type = check_type(type)
        self.description = description
        self._metadata = dict(metadata or {})
        self.incremental = incremental
        self.use_as = use_as
        self._entries: dict[str, ArtifactManifestEntry] = {}
        self._removed: set[str] = set()
        self._staging: Path | None = None
        self._aliases: list[str] = []
        self._tags: list[str] = []
        self._ttl: TtlSetting = ArtifactTTL.INHERIT  # sent at log time, or on save() once changed
        self._ttl_changed = False
        # Set once logged (or fetched): the server's version and where it lives.
        self._attrs: dict[str, Any] | None = None
        self._ctx: ArtifactContext | None = None
        self._project_ref: str | None = None
        self._manifest: ArtifactManifest | None = None
        self._saved_aliases: list[str] = []
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._logging = False
        self._spooled = False  # written to an offline run's dir, for `wanllmdb sync` to log
        self._display: str | None = None  # "entity/project" for qualified_name, when known
        # Where a registered version is read (wanllmdb/registry/linked.py); None: the project's.
        self._source: VersionSource | None = None

    # -- identity ------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """`name:vN` once logged (wandb's), the bare name while a draft."""
        return f"{self._name}:{self.version}" if self._attrs else self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def version(self) -> str | None:
        return str(self._attrs["version"]) if self._attrs else None

    @property
    def id(self) -> str | None:
        return str(self._attrs["id"]) if self._attrs else None

    @property
    def qualified_name(self) -> str:
        if self._display:
            return f"{self._display}/{self.name}"
        entity, _, project = (self._project_ref or ":").rpartition(":")
        return f"{entity}/{project}/{self.name}" if entity else f"{project}/{self.name}"

    @property
    def state(self) -> str:
        if self._attrs:
            return (
                "COMMITTED"
                if self._attrs.get("state") == "committed"
                else str(self._attrs.get("state")).upper()
            )
        return "PENDING"

    @property
    def created_at(self) -> str | None:
        return self._attrs.get("created_at") if self._attrs else None

    def is_draft(self) -> bool:
        return self._attrs is None

    @property
    def _version_source(self) -> VersionSource:
        if self._source is not None:
            return self._source
        from wanllmdb.artifacts.source import ProjectVersion

        if self._project_ref is None or self.version is None:
            raise UsageError(f"artifact {self._name} is not logged yet")
        return ProjectVersion(self._project_ref, self._name, self.version)

    # -- a registered version (wandb's linked artifact) ---------------------------------------------
    @property
    def is_link(self) -> bool:
        """True for a version of a registered model: a link to an artifact version in a project."""
        return bool(self._attrs and self._attrs.get("source"))

    def _source_attrs(self) -> dict[str, Any]:
        return dict(self._attrs["source"]) if self._attrs and self._attrs.get("source") else {}

    @property
    def source_name(self) -> str:
        """`name:vN` of the artifact version this links to (its own name when not a link)."""
        source = self._source_attrs()
        return f"{source['name']}:{source['version']}" if source else self.name

    @property
    def source_version(self) -> str | None:
        return str(self._source_attrs().get("version")) if self.is_link else self.version

    @property
    def stage(self) -> str | None:
        """A registered version's lifecycle stage (Development, Staging, Production, Archived)."""
        return self._attrs.get("stage") if self._attrs else None

    @property
    def metadata(self) -> dict[str, Any]:
        return self._metadata

    @metadata.setter
    def metadata(self, value: dict[str, Any]) -> None:
        self._metadata = dict(value)

    @property
    def aliases(self) -> list[str]:
        """User aliases, plus `latest` on the newest version; assign or edit, then `save()` to apply."""
        return self._aliases

    @aliases.setter
    def aliases(self, value: list[str]) -> None:
        self._aliases = list(value)

    @property
    def tags(self) -> list[str]:
        return self._tags

    @tags.setter
    def tags(self, value: list[str]) -> None:
        if self._attrs is not None:
            raise UsageError(f"artifact {self.name}: tags are set when it is logged")
        self._tags = list(value)

    @property
    def ttl(self) -> timedelta | None:
        """How long the version is kept after it was created (None: forever), as wandb's: set a
        `timedelta`, None or `wanllmdb.ArtifactTTL.INHERIT` (the project's default), then log or
        `save()`. An inherited TTL is the server's to say, so it is known once logged (ttl.py)."""
        if self._attrs is not None and not self._ttl_changed:
            return ttl_of(self._attrs)
        if self._ttl is ArtifactTTL.INHERIT:
            raise UsageError(
                f"artifact {self.name}: an inherited TTL is the project's, known once the artifact is logged"
            )
        return self._ttl  # type: ignore[return-value]

    @ttl.setter
    def ttl(self, value: TtlSetting) -> None:
        self._ttl = check_ttl(value)
        self._ttl_changed = True

    @property
    def digest(self) -> str:
        """wandb's artifact digest: MD5 hex over the sorted `path:digest` lines."""
        return str(self._attrs["digest"]) if self._attrs else self.manifest.digest()

    @property
    def size(self) -> int:
        return int(self._attrs["size"]) if self._attrs else self.manifest.size()

    @property
    def file_count(self) -> int:
        return int(self._attrs["file_count"]) if self._attrs else len(self._entries)

    @property
    def manifest(self) -> ArtifactManifest:
        if self._attrs is not None:
            from wanllmdb.artifacts.download import load_manifest

            if self._manifest is None:
                self._manifest = load_manifest(self)
            return self._manifest
        from wanllmdb.artifacts.logging_flow import hash_draft

        hash_draft(self, None)
        return ArtifactManifest(self._entries)

    def __repr__(self) -> str:
        return f"<Artifact {self.qualified_name if self._attrs else self._name} ({self._type})>"

    def get_entry(self, name: str | os.PathLike[str]) -> ArtifactManifestEntry:
        key = entry_name(name)
        entries = self.manifest.entries if self._attrs else self._entries
        if key not in entries:
            raise KeyError(f"artifact {self.name} has no entry {key!r}")
        if self._attrs is None and not entries[key].digest:
            self.manifest  # noqa: B018 - hashes the draft's files
        return entries[key]

    get_path = get_entry

    def files(self, names: list[str] | None = None, per_page: int = 50) -> list[ArtifactManifestEntry]:
        entries = self.manifest.entries
        wanted = [entry_name(n) for n in names] if names else sorted(entries)
        return [entries[n] for n in wanted if n in entries]

    # -- after logging -------------------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> Artifact:
        """Block until the version is committed (log_artifact uploads in the background); re-raises
        what went wrong there, naming the file or the server's reason."""
        if self._attrs is None and not self._logging and not self._spooled and self._error is None:
            raise UsageError(f"artifact {self._name} is not logged: run.log_artifact(artifact) first")
        if not self._done.wait(timeout):
            raise TimeoutError(f"artifact {self._name} was not committed within {timeout} s")
        if self._error is not None:
            raise self._error
        return self

    def _logged(self) -> ArtifactContext:
        if self._logging:
            self.wait()
        if self._attrs is None or self._ctx is None:
            raise UsageError(f"artifact {self._name} is not logged yet")
        return self._ctx

    def download(
        self,
        root: str | os.PathLike[str] | None = None,
        allow_missing_references: bool = False,
        skip_cache: bool | None = None,
        path_prefix: str | None = None,
        multipart: bool | None = None,
    ) -> str:
        """Fetch every entry into `root` (default ./artifacts/<name>:<vN>) through the cache; returns root."""
        self._logged()
        entries = list(self.manifest.entries.values())
        if path_prefix:
            entries = [e for e in entries if e.path.startswith(path_prefix)]
        target = self._root(root)
        self._download_entries(
            entries, target, skip_cache=bool(skip_cache), allow_missing=allow_missing_references
        )
        return str(target)

    def _root(self, root: str | os.PathLike[str] | None) -> Path:
        if root is not None:
            return Path(root)
        return Path.cwd() / "artifacts" / f"{self._name}:{self.version}"

    def _download_entries(
        self,
        entries: list[ArtifactManifestEntry],
        root: str | os.PathLike[str] | None,
        *,
        skip_cache: bool = False,
        allow_missing: bool = False,
    ) -> list[str]:
        from wanllmdb.artifacts.download import download_entries

        return download_entries(
            self,
            self._logged(),
            entries,
            self._root(root),
            skip_cache=skip_cache,
            allow_missing=allow_missing,
        )

    def checkout(self, root: str | None = None) -> str:
        """download(), then delete every file under root that the artifact does not have."""
        target = Path(self.download(root))
        keep = set(self.manifest.entries)
        for path in sorted(target.rglob("*"), reverse=True):
            rel = path.relative_to(target).as_posix()
            if path.is_file() and rel not in keep:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return str(target)

    def verify(self, root: str | None = None) -> None:
        """Re-hash every file under root and compare with the manifest; ValueError names the first path
        that differs, with both digests (references are not checked, as in wandb)."""
        from wanllmdb.artifacts.download import verify_root

        self._logged()
        verify_root(self.manifest, self._root(root))

    def save(self, project: str | None = None, settings: Any = None) -> None:
        """A logged artifact: apply alias and TTL changes. A draft: log it without a run (into `project`)."""
        if self._attrs is None:
            from wanllmdb.artifacts.logging_flow import log_without_run

            log_without_run(self, project=project, settings=settings)
            return
        from wanllmdb.artifacts.remote import apply_aliases
        from wanllmdb.artifacts.ttl import apply_ttl

        apply_aliases(self)
        if self._ttl_changed:
            apply_ttl(self)

    def delete(self, delete_aliases: bool = False) -> None:
        """Soft-delete this version (its blobs go at the next `wanllmdb artifact gc`)."""
        from wanllmdb.artifacts.remote import delete_version

        user = [a for a in self._saved_aliases if a != "latest"]
        if user and not delete_aliases:
            raise UsageError(
                f"artifact {self.name} has aliases {user}; pass delete_aliases=True to delete it anyway"
            )
        delete_version(self)

    def used_by(self) -> list[Any]:
        from wanllmdb.artifacts.remote import version_runs

        return version_runs(self)[1]

    def logged_by(self) -> Any:
        from wanllmdb.artifacts.remote import version_runs

        return version_runs(self)[0]

    def link(self, target_path: str, aliases: list[str] | None = None) -> Artifact:
        """Link this version into a registered model (`registry/model`, `wandb-registry-registry/model`,
        `entity/registry/model`); returns the registered version. A draft is logged first (save()),
        and the call waits until it is committed. A link of a link links its source."""
        from wanllmdb.registry.linking import link_now

        if self._attrs is None and not self._logging:
            self.save()
        return link_now(self, target_path, aliases)

    def new_draft(self) -> Artifact:
        """A draft holding this version's entries, to change and log as the next version."""
        draft = Artifact(self._name, self._type, self.description, dict(self._metadata))
        for path, entry in self.manifest.entries.items():
            draft._entries[path] = ArtifactManifestEntry(
                path=path,
                digest=entry.digest,
                size=entry.size,
                sha256=entry.sha256,
                ref=entry.ref,
                birth_artifact_id=entry.birth_artifact_id or self.id,
                extra=dict(entry.extra),
                pack=entry.pack,
                offset=entry.offset,
            )
        return draft

    def __del__(self) -> None:
        # The staging folder of new_file()/add(); a file that was uploaded is hard-linked in the cache.
        staging = getattr(self, "_staging", None)
        if staging is not None and not getattr(self, "_logging", False):
            shutil.rmtree(staging, ignore_errors=True)
