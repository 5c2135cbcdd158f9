"""A run's local directory: the durable spool that the uploader drains and ``wanllmdb sync`` replays.

    run-<time>-<id>/
      run.json        who the run is and where it goes (written atomically)
      ops.jsonl       metadata operations in order: create, config, summary, update, state
      chunks/         Parquet chunks <stream>-a<attempt>-<seq>.parquet, each fsynced before it is listed
      files/          run files (save(), diff.patch, metrics.json)
      media/          media objects at their path under the run's media prefix (image/img_3_<sha20>.png)
      manifest.jsonl  what has reached the server: {"op": n} | {"chunk": name} | {"file": path, "sha256": h}
                      | {"media": path}
      .lock           flock held by the live process, so sync never races it

Everything is append-only or written by rename, so a kill -9 at any point leaves a spool that sync can
finish: a torn last line is skipped, a half-written chunk never got its final name.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

__all__ = ["RunDir", "chunk_name", "parse_chunk_name", "sha256_file", "sha256_stream"]


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


def _write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write to a hidden temp name, fsync, rename, fsync the dir: readers see all of it or nothing."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    with tmp.open("wb") as f:
        if callable(data):
            data(f)
        else:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
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
        self._append_lock = threading.Lock()
        self._lock_file: IO[bytes] | None = None

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
        with self._append_lock, (self.path / name).open("ab") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

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
    def write_chunk(
        self, stream: str, attempt: int, seq: int, data: bytes | Callable[[BinaryIO], None]
    ) -> str:
        name = chunk_name(stream, attempt, seq)
        _write_atomic(self.chunks / name, data)
        return name

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
