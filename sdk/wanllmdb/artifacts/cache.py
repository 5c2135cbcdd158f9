"""The artifact cache: blobs by SHA-256 under a size cap, evicted least recently used first.

Layout under the cache dir (settings `cache_dir`, `WANLLMDB_CACHE_DIR`; default <data_dir>/cache):
  index.sqlite3                      file hashes and the objects' sizes and last use (index.py)
  artifacts/obj/sha256/<ab>/<sha256> one object per distinct content
  artifacts/tmp/                     downloads in progress: written, hashed, then renamed into obj/
  artifacts/uploads/<p>-<sha256>.json  a multipart upload's id and finished parts (resume after kill -9)

Every object is written to tmp/ and renamed into place only once its SHA-256 matched, so concurrent
downloads of one blob never write into the same file and a cut-off download never replaces a cached
one. An object is trusted by the index: while its (inode, mtime, size) are unchanged it is not read
again; when they changed it is re-hashed, and dropped if its bytes no longer match its name.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from wanllmdb.artifacts.hashing import Digests, hash_file
from wanllmdb.artifacts.index import CacheIndex

__all__ = ["DEFAULT_MAX_BYTES", "ArtifactCache", "CorruptDownload"]

DEFAULT_MAX_BYTES = 20 << 30


class CorruptDownload(Exception):
    """The bytes fetched do not hash to the blob's address."""


def _past_racy(st: os.stat_result) -> int:
    """A 'started' time for a file this process wrote and closed itself: nobody else writes to it in
    the same timestamp tick, so its hash may be remembered at once."""
    return st.st_mtime_ns + 10**9


class ArtifactCache:
    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.objects = self.root / "artifacts" / "obj" / "sha256"
        self.tmp = self.root / "artifacts" / "tmp"
        self.uploads = self.root / "artifacts" / "uploads"
        for folder in (self.objects, self.tmp, self.uploads):
            folder.mkdir(parents=True, exist_ok=True)
        self.index = CacheIndex(self.root / "index.sqlite3")
        # Inside batched(), index writes wait in these lists and go in one transaction each at the end:
        # a transaction per file cost more than the file itself on a cold 10k-file download.
        self._lock = threading.Lock()
        self._batches = 0
        self._hashes: list[tuple[os.stat_result, Digests, int]] = []
        self._objects: list[tuple[str, int]] = []

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        with self._lock:
            self._batches += 1
        try:
            yield
        finally:
            with self._lock:
                self._batches -= 1
                hashes, objects = (self._hashes, self._objects) if self._batches == 0 else ([], [])
                if self._batches == 0:
                    self._hashes, self._objects = [], []
            self.index.remember(hashes)
            self.index.add_objects(objects)

    def _remember(self, st: os.stat_result, digests: Digests, started: int) -> None:
        with self._lock:
            if self._batches:
                self._hashes.append((st, digests, started))
                return
        self.index.remember([(st, digests, started)])

    def _add_object(self, sha256: str, size: int) -> None:
        with self._lock:
            if self._batches:
                self._objects.append((sha256, size))
                return
        self.index.add_objects([(sha256, size)])

    def close(self) -> None:
        self.index.close()

    def object_path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256

    def _tmp_name(self, hint: str) -> Path:
        return self.tmp / f"{hint[:16]}-{os.getpid()}-{secrets.token_hex(6)}"

    # -- reading -------------------------------------------------------------------------------------
    def trusted(self, sha256: str) -> Path | None:
        """The cached object for `sha256` if its bytes still are what its name says, else None."""
        path = self.object_path(sha256)
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        known = self.index.lookup([st])[0]
        if known is None:
            try:
                digests, st, started = hash_file(path)
            except Exception:
                return None
            self._remember(st, digests, started)
            self._add_object(sha256, digests.size)
            known = digests
        if known.sha256 != sha256:
            self.evict([sha256])
            return None
        return path

    def trusted_many(self, shas: Iterable[str]) -> dict[str, Path]:
        """`trusted` for many blobs: one stat each and one index query for all of them."""
        found: list[tuple[str, Path, os.stat_result]] = []
        for sha in dict.fromkeys(shas):
            path = self.object_path(sha)
            try:
                found.append((sha, path, path.stat()))
            except FileNotFoundError:
                continue
        out: dict[str, Path] = {}
        for (sha, path, _st), known in zip(found, self.index.lookup(st for _, _, st in found), strict=True):
            if known is None:  # changed, or never indexed: re-hashed (and dropped if it no longer matches)
                good = self.trusted(sha) is not None
            elif not (good := known.sha256 == sha):
                self.evict([sha])
            if good:
                out[sha] = path
        return out

    def digests_of(self, sha256: str) -> Digests | None:
        path = self.trusted(sha256)
        if path is None:
            return None
        return self.index.lookup([path.stat()])[0]

    # -- writing -------------------------------------------------------------------------------------
    def store(self, sha256: str, fill: Callable[[IO[bytes]], None]) -> Path:
        """Write an object through `fill(sink)` into tmp/, check its SHA-256, and rename it into place.
        A `fill` that raises, or bytes of another hash (CorruptDownload), leave nothing behind."""
        tmp = self._tmp_name(sha256)
        sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
        size = 0
        try:
            with open(tmp, "wb") as raw:

                class Sink:
                    def write(self, block: bytes) -> int:
                        nonlocal size
                        sha.update(block)
                        md5.update(block)
                        size += len(block)
                        return raw.write(block)

                fill(Sink())  # type: ignore[arg-type]
            if sha.hexdigest() != sha256:
                raise CorruptDownload(f"blob {sha256} arrived as {sha.hexdigest()} ({size} bytes)")
            final = self.object_path(sha256)
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        st = final.stat()
        self._remember(st, Digests(base64.b64encode(md5.digest()).decode(), sha256, size), _past_racy(st))
        self._add_object(sha256, size)
        return final

    def adopt_uploaded(self, items: Iterable[tuple[str | os.PathLike[str], Digests]]) -> int:
        """Put files just uploaded into the cache by hard link (no second write of their bytes); a file
        on another filesystem is left out (it would need a copy). Returns how many were linked."""
        added = [(d.sha256, d.size) for path, d in items if self._link_object(path, d.sha256)]
        self.index.add_objects(added)
        return len(added)

    def _link_object(self, path: str | os.PathLike[str], sha256: str) -> bool:
        """Hard-link `path` in as the object `sha256`. A link is made whole in one step, so no reader
        sees half an object, and it fails on an object already there: no temp name needed. False when
        the object is there already, the file is gone, or it is on another filesystem."""
        shard = f"{self.objects}/{sha256[:2]}"
        try:
            try:
                os.link(path, f"{shard}/{sha256}")
            except FileNotFoundError:
                if not os.path.exists(path):
                    return False
                os.makedirs(shard, exist_ok=True)
                os.link(path, f"{shard}/{sha256}")
        except OSError:
            return False
        return True

    def copy_out(
        self, sha256: str, source: Path, dest: Path, digests: Digests, *, make_parent: bool = True
    ) -> bool:
        """Copy a cached object to `dest` (temp name, then rename: a reader never sees half a file)
        and remember dest's digests, so the next download finds it without hashing. False when the
        object vanished meanwhile (evicted by another process)."""
        if make_parent:
            dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._publish(dest, digests, lambda tmp: shutil.copyfile(source, tmp))
        except FileNotFoundError:
            if not source.exists():
                return False
            raise
        return True

    def place_bytes(
        self, data: bytes | memoryview, dest: Path, digests: Digests, *, keep: bool = True
    ) -> None:
        """Write bytes already checked against `digests.sha256` to `dest` (temp name, then rename),
        and with `keep` hard-link that file into the cache as the object: one write of the bytes,
        not one into the cache and a copy out of it."""
        self._publish(dest, digests, lambda tmp: tmp.write_bytes(data))
        if keep and self._link_object(dest, digests.sha256):
            self._add_object(digests.sha256, digests.size)

    def _publish(self, dest: Path, digests: Digests, fill: Callable[[Path], object]) -> None:
        """Write `dest` through `fill(temp path)` and rename it into place, so a reader never sees
        half a file and a failed write leaves nothing behind; then remember its digests, so the next
        download finds it without hashing."""
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
        try:
            fill(tmp)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        st = dest.stat()
        self._remember(st, digests, _past_racy(st))

    # -- the size cap --------------------------------------------------------------------------------
    def evict(self, shas: Iterable[str]) -> None:
        shas = list(shas)
        with self._lock:
            gone = set(shas)
            self._objects = [o for o in self._objects if o[0] not in gone]
        for sha in shas:
            with contextlib.suppress(FileNotFoundError):
                self.object_path(sha).unlink()
        self.index.drop_objects(shas)

    def cleanup(self, max_bytes: int | None = None) -> tuple[int, int]:
        """Evict least recently used objects until the cache holds at most `max_bytes` (the cap by
        default); also drops temp files of downloads that died, and resume notes of multipart uploads
        untouched for a day (the lake's lifecycle rule aborts those uploads after one).
        Returns (objects removed, bytes freed)."""
        cap = self.max_bytes if max_bytes is None else max_bytes
        now = time.time()
        for folder, max_age_s in ((self.tmp, 24 * 3600), (self.uploads, 24 * 3600)):
            for stale in folder.iterdir():
                with contextlib.suppress(OSError):
                    if stale.stat().st_mtime < now - max_age_s:
                        stale.unlink()
        total = self.index.total_bytes()
        removed = freed = 0
        while total > cap:
            oldest = self.index.oldest_objects()
            if not oldest:
                break
            victims = []
            for sha, size in oldest:
                if total <= cap:
                    break
                victims.append(sha)
                total -= size
                freed += size
            self.evict(victims)
            removed += len(victims)
        return removed, freed

    def enforce_cap(self) -> None:
        if self.index.total_bytes() > self.max_bytes:
            self.cleanup()
