"""Digests as wandb computes them, and hashing many files at once through the index.

An entry's digest is wandb's: base64 of the MD5 of its bytes. Its blob is addressed by SHA-256 (the
server pins every upload to it). Both come from one read of the file. hashlib releases the GIL on
large updates, so a few threads hash several files at once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wanllmdb.errors import UsageError

if TYPE_CHECKING:
    from wanllmdb.artifacts.index import CacheIndex

__all__ = ["DIGEST_HEADER", "Digests", "hash_bytes", "hash_file", "hash_files", "md5_b64", "wandb_digest"]

DIGEST_HEADER = b"wandb-artifact-manifest-v1\n"
_BLOCK = 1 << 20
HASH_THREADS = min(8, os.cpu_count() or 2)
_CHUNK = 64


@dataclass(frozen=True)
class Digests:
    md5: str  # base64, wandb's entry digest
    sha256: str  # hex, the blob's address
    size: int


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


def wandb_digest(paths: Sequence[str], digests: Sequence[str]) -> str:
    """wandb's artifact digest (ArtifactManifestV1.digest): MD5 hex over a header and the
    `path:digest` lines in path order."""
    hasher = hashlib.md5(DIGEST_HEADER, usedforsecurity=False)
    for path, digest in sorted(zip(paths, digests, strict=True)):
        hasher.update(f"{path}:{digest}\n".encode())
    return hasher.hexdigest()


def hash_bytes(data: bytes) -> Digests:
    return Digests(md5_b64(data), hashlib.sha256(data).hexdigest(), len(data))


def unreadable(path: str | os.PathLike[str], exc: OSError) -> UsageError:
    what = (
        "does not exist" if isinstance(exc, FileNotFoundError) else f"cannot be read ({exc.strerror or exc})"
    )
    return UsageError(f"artifact file {str(path)!r} {what}")


def hash_file(path: Path | str) -> tuple[Digests, os.stat_result, int]:
    """(digests, the stat taken before reading, when the read started in time_ns)."""
    started = time.time_ns()
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            md5 = hashlib.md5(usedforsecurity=False)
            sha = hashlib.sha256()
            size = 0
            while block := fh.read(_BLOCK):
                md5.update(block)
                sha.update(block)
                size += len(block)
    except OSError as exc:
        raise unreadable(path, exc) from None
    return Digests(base64.b64encode(md5.digest()).decode(), sha.hexdigest(), size), st, started


def hash_files(
    paths: Sequence[Path | str],
    index: CacheIndex | None,
    *,
    threads: int = HASH_THREADS,
    on_hashed: Callable[[int], None] | None = None,
) -> list[Digests]:
    """Every file's digests: from the index where (inode, mtime, size) are unchanged, else read (in
    `threads` threads) and remembered. A missing or unreadable file raises UsageError naming it."""
    stats: list[os.stat_result] = []
    for path in paths:
        try:
            stats.append(os.stat(path))
        except OSError as exc:
            raise unreadable(path, exc) from None
    known = index.lookup(stats) if index is not None else [None] * len(stats)
    missing = [i for i, d in enumerate(known) if d is None]
    out: list[Digests | None] = list(known)
    if on_hashed is not None and len(missing) < len(paths):
        on_hashed(sum(st.st_size for st, d in zip(stats, known, strict=True) if d is not None))
    fresh: list[tuple[os.stat_result, Digests, int]] = []

    def some(chunk: list[int]) -> None:
        for i in chunk:
            digests, st, started = hash_file(paths[i])
            out[i] = digests
            fresh.append((st, digests, started))
            if on_hashed is not None:
                on_hashed(digests.size)

    if missing:
        if len(missing) == 1 or threads <= 1:
            some(missing)
        else:
            # Chunks rather than a task per file: for 4 KiB files a future cost as much as the hashing.
            chunks = [missing[i : i + _CHUNK] for i in range(0, len(missing), _CHUNK)]
            with ThreadPoolExecutor(min(threads, len(chunks)), thread_name_prefix="wanllmdb-hash") as pool:
                list(pool.map(some, chunks))
    if index is not None:
        index.remember(fresh)
    return [d for d in out if d is not None]
