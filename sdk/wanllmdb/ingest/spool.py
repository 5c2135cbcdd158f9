"""A run's local directory: the durable spool that the uploader drains and ``wanllmdb sync`` replays.

    run-<time>-<id>/
      run.json        who the run is and where it goes (written atomically)
      ops.jsonl       metadata operations in order: create, config, summary, update, state
      chunks/         Parquet chunks <stream>-a<attempt>-<seq>.parquet, each fsynced before it is listed
      checksums.jsonl {"chunk": name, "sha256": h, "size": n} of each chunk, appended before its rename
      quarantine/     chunks whose bytes no longer match their checksum: moved here, never uploaded
      files/          run files (save(), diff.patch, metrics.json)
      media/          media objects at their path under the run's media prefix (image/img_3_<sha20>.png)
      manifest.jsonl  what has reached the server: {"op": n} | {"chunk": name} | {"file": path, "sha256": h}
                      | {"media": path}
      .lock           flock held by the live process, so sync never races it

Everything is append-only or written by rename, so a kill -9 at any point leaves a spool that sync can
finish: a torn last line is skipped, a half-written chunk never got its final name. A chunk damaged
later (a truncated copy, a disk error) no longer matches the checksum recorded when it was written,
so the uploader quarantines it instead of putting rows that cannot be read into the lake.

A write that fails (ENOSPC on a full disk) leaves nothing behind under a final name or a temp name;
the caller decides what to keep (docs/sdk.md, "A full disk").
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

__all__ = ["RunDir", "chunk_name", "is_disk_full", "parse_chunk_name", "sha256_file", "sha256_stream"]

# Tests only: called with the target path before every spool write, to raise OSError(ENOSPC) the way a
# full disk would, without one. None in real use.
write_fault: Callable[[Path], None] | None = None

_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    """A write failed because the filesystem (or the user's quota) has no room left."""
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


def chunk_name(stream: str, attempt: int, seq: int) -> str:
    return f"{stream}-a{attempt:04d}-{seq:09d}.parquet"


def parse_chunk_name(name: str) -> tuple[str, int, int]:
    stem = name.removesuffix(".parquet")
    stream, a, seq = stem.rsplit("-", 2)
    return stream, int(a[1:]), int(seq)


def sha256_file(path: Path) -> tuple[str, int]:
    with path.open("rb") as f:
        return sha256_stream(f)


def sha256_stream(f: BinaryIO) -> tuple[str, int]:
    """(hex sha256, size) of what is left to read in `f`."""
    h = hashlib.sha256()
    size = 0
    while block := f.read(1 << 20):
        h.update(block)
        size += len(block)
    return h.hexdigest(), size


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(
    path: Path,
    data: bytes | memoryview | Callable[[BinaryIO], None],
    before_rename: Callable[[], None] | None = None,
) -> None:
    """Write to a hidden temp name, fsync, rename, fsync the dir: readers see all of it or nothing.
    A failed write (a full disk fails in write() or in fsync()) removes its temp file: on a full disk
    the half-written bytes would otherwise hold the space the next try needs."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        if write_fault is not None:
            write_fault(path)
        with tmp.open("wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if before_rename is not None:
            before_rename()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("r", encoding="utf-8") as f:
        for line in f:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # the torn tail of a kill -9; everything before it is intact
            if isinstance(item, dict):
                yield item


class RunDir:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.chunks = self.path / "chunks"
        self.files = self.path / "files"
        self.media = self.path / "media"
        self.quarantine = self.path / "quarantine"
        self._append_lock = threading.Lock()
        self._lock_file: IO[bytes] | None = None
        self._sums: dict[str, tuple[str, int]] = {}  # chunk name -> (sha256, size) as written
        self._sums_read = 0  # bytes of checksums.jsonl already in _sums

    @classmethod
    def create(cls, path: Path) -> RunDir:
        rd = cls(path)
        rd.chunks.mkdir(parents=True, exist_ok=True)
        rd.files.mkdir(parents=True, exist_ok=True)
        return rd

    def is_run_dir(self) -> bool:
        return (self.path / "run.json").is_file()

    # -- identity ---------------------------------------------------------------------------------
    def write_record(self, record: dict[str, Any]) -> None:
        _write_atomic(self.path / "run.json", json.dumps(record, indent=1, default=str).encode())

    def read_record(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.path / "run.json").read_text(encoding="utf-8"))
        return data

    # -- metadata ops and the manifest --------------------------------------------------------------
    def _append(self, name: str, item: dict[str, Any]) -> None:
        line = (json.dumps(item, default=str, separators=(",", ":")) + "\n").encode()
        path = self.path / name
        with self._append_lock:
            if write_fault is not None:
                write_fault(path)
            with path.open("ab") as f:
                start = f.tell()
                try:
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())
                except OSError:
                    # A full disk can take part of the line: cut it off, or the next append would
                    # continue a torn line and both would be lost.
                    with contextlib.suppress(OSError):
                        f.truncate(start)
                    raise

    def append_op(self, n: int, op: str, body: dict[str, Any]) -> None:
        self._append("ops.jsonl", {"n": n, "op": op, "body": body})

    def read_ops(self) -> list[dict[str, Any]]:
        return [o for o in _read_jsonl(self.path / "ops.jsonl") if "n" in o and "op" in o]

    def mark_done(self, **entry: Any) -> None:
        self._append("manifest.jsonl", entry)

    def done(self) -> tuple[set[int], set[str], dict[str, str]]:
        """(ops done, chunks uploaded, file path → sha256 uploaded)."""
        ops: set[int] = set()
        chunks: set[str] = set()
        files: dict[str, str] = {}
        for e in _read_jsonl(self.path / "manifest.jsonl"):
            if "op" in e:
                ops.add(int(e["op"]))
            elif "chunk" in e:
                chunks.add(str(e["chunk"]))
            elif "file" in e:
                files[str(e["file"])] = str(e.get("sha256", ""))
        return ops, chunks, files

    def media_done(self) -> set[str]:
        """Media object paths uploaded (their names hold their digest, so a path is uploaded once)."""
        return {str(e["media"]) for e in _read_jsonl(self.path / "manifest.jsonl") if "media" in e}

    # -- chunks and files ----------------------------------------------------------------------------
    def write_chunk(self, stream: str, attempt: int, seq: int, data: bytes | memoryview) -> str:
        """Write one chunk and record its checksum; the record lands before the chunk's final name, so
        every chunk a reader can list has one (chunks of older SDKs have none and are sent as they are)."""
        name = chunk_name(stream, attempt, seq)
        view = memoryview(data)
        sha, size = hashlib.sha256(view).hexdigest(), view.nbytes
        _write_atomic(
            self.chunks / name,
            view,
            before_rename=lambda: self._append(
                "checksums.jsonl", {"chunk": name, "sha256": sha, "size": size}
            ),
        )
        with self._append_lock:
            self._sums[name] = (sha, size)
        return name

    def chunk_checksum(self, name: str) -> tuple[str, int] | None:
        """(sha256, size) recorded when the chunk was written, or None (an older SDK's spool).
        Reads only what was appended since the last call: a long run has thousands of chunks."""
        with self._append_lock:
            found = self._sums.get(name)
            if found is not None:
                return found
            path = self.path / "checksums.jsonl"
            try:
                with path.open("rb") as f:
                    f.seek(self._sums_read)
                    tail = f.read()
            except FileNotFoundError:
                return None
            whole = tail[: tail.rfind(b"\n") + 1]  # a torn last line is read again once it is whole
            self._sums_read += len(whole)
            for line in whole.splitlines():
                try:
                    item = json.loads(line)
                    self._sums[str(item["chunk"])] = (str(item["sha256"]), int(item["size"]))
                except (ValueError, KeyError, TypeError):
                    continue
            return self._sums.get(name)

    def quarantine_chunk(self, name: str) -> Path:
        """Move a damaged chunk out of chunks/ (so nothing lists or uploads it again); returns where."""
        self.quarantine.mkdir(exist_ok=True)
        dest = self.quarantine / name
        os.replace(self.chunks / name, dest)
        return dest

    def chunk_names(self) -> list[str]:
        if not self.chunks.is_dir():
            return []
        return sorted(
            p.name for p in self.chunks.iterdir() if p.suffix == ".parquet" and not p.name.startswith(".")
        )

    def next_seq(self, stream: str, attempt: int) -> int:
        seqs = [
            parse_chunk_name(n)[2] for n in self.chunk_names() if n.startswith(f"{stream}-a{attempt:04d}-")
        ]
        return max(seqs) + 1 if seqs else 0

    def file_paths(self) -> list[str]:
        if not self.files.is_dir():
            return []
        return sorted(
            p.relative_to(self.files).as_posix()
            for p in self.files.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    def write_media(self, path: str, data: bytes) -> None:
        """A media object, durable before any chunk names it (the worker writes it before its row)."""
        dest = self.media / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(dest, data)

    def media_paths(self) -> list[str]:
        if not self.media.is_dir():
            return []
        return sorted(
            p.relative_to(self.media).as_posix()
            for p in self.media.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    # -- liveness --------------------------------------------------------------------------------------
    def try_lock(self) -> bool:
        """Take the run's flock; False when a live process (or another sync) holds it."""
        f = (self.path / ".lock").open("ab")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        self._lock_file = f
        return True

    def unlock(self) -> None:
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None
