"""Building a draft artifact: what ``add_file``, ``add_dir``, ``add_reference``, ``new_file``, ``add`` and
``remove`` record. A mixin of ``Artifact``; nothing here reads a file's bytes (hashing happens when the
artifact is logged, on a background thread)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from wanllmdb.artifacts.manifest import ArtifactManifestEntry
from wanllmdb.errors import UsageError

if TYPE_CHECKING:
    from wanllmdb.artifacts.context import ArtifactContext

__all__ = ["DraftBuilder", "entry_name"]


def entry_name(name: str | os.PathLike[str]) -> str:
    path = Path(name).as_posix().strip("/")
    if not path or any(part in ("", ".", "..") for part in path.split("/")):
        raise UsageError(f"artifact path {str(name)!r}: use a relative path without '.' or '..'")
    return path


class DraftBuilder:
    # Set by Artifact.__init__.
    _name: str
    _entries: dict[str, ArtifactManifestEntry]
    _removed: set[str]
    _staging: Path | None
    _attrs: dict[str, Any] | None
    _logging: bool
    _ctx: ArtifactContext | None
    incremental: bool

    # -- building a draft ----------------------------------------------------------------------------
    def _draft(self, what: str) -> None:
        if self._attrs is not None or self._logging:
            raise UsageError(
                f"artifact {self._name} is logged: {what} changes a draft only; make a new Artifact"
            )

    def add_file(
        self,
        local_path: str | os.PathLike[str],
        name: str | None = None,
        is_tmp: bool | None = False,
        skip_cache: bool | None = False,
        policy: str | None = "mutable",
        overwrite: bool = False,
    ) -> ArtifactManifestEntry:
        """Add one file (under `name`, else its file name). Raises naming a missing or unreadable file."""
        self._draft("add_file")
        path = Path(local_path)
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            from wanllmdb.artifacts.hashing import unreadable

            raise unreadable(path, exc) from None
        if path.is_dir():
            raise UsageError(f"artifact file {str(path)!r} is a directory: use add_dir")
        return self._put(entry_name(name or path.name), path, overwrite=overwrite)

    def _put(self, key: str, path: Path | str, *, overwrite: bool = True) -> ArtifactManifestEntry:
        old = self._entries.get(key)
        if old is not None and not overwrite and old.local_path != str(path):
            raise UsageError(f"artifact {self._name} already has {key!r}; pass overwrite=True to replace it")
        entry = ArtifactManifestEntry(path=key, digest="", local_path=str(path))
        self._entries[key] = entry
        self._removed.discard(key)
        return entry

    def add_dir(
        self,
        local_path: str | os.PathLike[str],
        name: str | None = None,
        skip_cache: bool | None = False,
        policy: str | None = "mutable",
        merge: bool = False,
    ) -> None:
        """Add every file under a directory (under `name/`), recursively."""
        self._draft("add_dir")
        root = Path(local_path)
        if not root.is_dir():
            raise UsageError(
                f"artifact directory {str(root)!r} "
                + ("is a file: use add_file" if root.exists() else "does not exist")
            )
        prefix = entry_name(name) + "/" if name else ""
        # Strings, not Paths: a Path per file cost a third of add_dir's time for 10k files.
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root)
            base = "" if rel == "." else Path(rel).as_posix() + "/"
            for filename in filenames:
                self._put(prefix + base + filename, os.path.join(dirpath, filename))

    def add_reference(
        self,
        uri: str | ArtifactManifestEntry,
        name: str | None = None,
        checksum: bool = True,
        max_objects: int | None = None,
    ) -> list[ArtifactManifestEntry]:
        """Record objects that stay where they are: file://, s3://, gs://, az://, http(s)://
        (references.py)."""
        self._draft("add_reference")
        from wanllmdb.artifacts.references import resolve_reference

        if isinstance(uri, ArtifactManifestEntry):
            uri = uri.ref_url()
        index = self._ctx.cache.index if self._ctx is not None else None
        entries = resolve_reference(
            str(uri),
            entry_name(name) if name else None,
            checksum=checksum,
            max_objects=max_objects,
            index=index,
        )
        for entry in entries:
            entry.path = entry_name(entry.path)
            self._entries[entry.path] = entry
            self._removed.discard(entry.path)
        return entries

    def _staging_dir(self) -> Path:
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(prefix="wanllmdb-artifact-"))
        return self._staging

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "x", encoding: str | None = None) -> Iterator[IO[Any]]:
        """Write a new file straight into the artifact: `with art.new_file("a.txt") as f: f.write(...)`."""
        self._draft("new_file")
        key = entry_name(name)
        if key in self._entries and "x" in mode:
            raise UsageError(f"artifact {self._name} already has {key!r}")
        path = self._staging_dir() / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, mode.replace("x", "w"), encoding=encoding) as fh:
            yield fh
        self._put(key, path)

    def add(self, obj: Any, name: str, overwrite: bool = False) -> ArtifactManifestEntry:
        """Add a wanllmdb.Table (as Parquet) or a media object under `name.<type>.<ext>`."""
        self._draft("add")
        from wanllmdb.artifacts.objects import write_object

        key, path, descriptor = write_object(self, obj, entry_name(name))
        if key in self._entries and not overwrite:
            raise UsageError(f"artifact {self._name} already has {key!r}; pass overwrite=True")
        entry = self._put(key, path)
        entry.extra = {"descriptor": descriptor}
        return entry

    def remove(self, item: str | os.PathLike[str] | ArtifactManifestEntry) -> None:
        """Remove an entry, or every entry under a directory."""
        self._draft("remove")
        key = item.path if isinstance(item, ArtifactManifestEntry) else entry_name(item)
        hit = [p for p in self._entries if p == key or p.startswith(key + "/")]
        if not hit and not self.incremental:
            raise FileNotFoundError(f"artifact {self._name} has no entry {key!r}")
        for p in hit:
            del self._entries[p]
        if self.incremental:
            self._removed.add(key)
