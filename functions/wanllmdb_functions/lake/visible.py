"""The consistent set of objects a reader uses for one run stream: newest compacted files plus newer chunks.

A listing is a snapshot. From it we keep every compacted file that no other compacted file
dominates, and every chunk that none of those covers. Rows read from overlapping objects (a
compaction that is still deleting its inputs) are removed by the readers' de-duplication, so
any listing taken at any moment of a compaction yields the same rows.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..ports.blob_store import BlobInfo, BlobStore
from .keys import ChunkName, Coverage, parse_chunk, parse_compacted, project_prefix, stream_prefix

__all__ = ["StreamObjects", "list_project", "list_stream", "resolve_stream"]

_RUN_STREAM = re.compile(r"run=([^/]+)/stream=([^/]+)/[^/]+$")


@dataclass(frozen=True)
class StreamObjects:
    prefix: str
    compacted: list[tuple[BlobInfo, Coverage]] = field(default_factory=list)
    chunks: list[tuple[BlobInfo, ChunkName]] = field(default_factory=list)
    # Compacted files another one dominates, and chunks already inside a compacted file: garbage.
    superseded: list[BlobInfo] = field(default_factory=list)

    @property
    def objects(self) -> list[BlobInfo]:
        return [info for info, _ in self.compacted] + [info for info, _ in self.chunks]

    @property
    def attempts(self) -> set[int]:
        found = {c.attempt for _, c in self.chunks}
        for _, coverage in self.compacted:
            found.update(coverage.high)
        return found

    @property
    def needs_dedup(self) -> bool:
        # One source of one attempt cannot hold a (step, key) twice for the latest-attempt rule.
        return len(self.attempts) > 1 or len(self.objects) > 1

    def fingerprint(self) -> str:
        """Changes whenever the readable data changes: the basis of the ETag."""
        digest = hashlib.sha256()
        for info in self.objects:
            digest.update(f"{info.key}\0{info.size}\0{info.etag}\n".encode())
        return digest.hexdigest()[:32]


def list_stream(blobs: BlobStore, project_id: str, run_id: str, stream: str) -> StreamObjects:
    prefix = stream_prefix(project_id, run_id, stream)
    return resolve_stream(prefix, blobs.list(prefix))


def list_project(blobs: BlobStore, project_id: str) -> dict[tuple[str, str], StreamObjects]:
    """Every run stream of a project from one listing, keyed by (run_id, stream)."""
    base = project_prefix(project_id)
    grouped: dict[tuple[str, str], list[BlobInfo]] = defaultdict(list)
    for info in blobs.list(base):
        match = _RUN_STREAM.match(info.key[len(base) :])
        if match:
            grouped[(match.group(1), match.group(2))].append(info)
    return {
        (run, stream): resolve_stream(f"{base}run={run}/stream={stream}/", infos)
        for (run, stream), infos in grouped.items()
    }


def resolve_stream(prefix: str, infos: Iterable[BlobInfo]) -> StreamObjects:
    compacted: list[tuple[BlobInfo, Coverage]] = []
    chunks: list[tuple[BlobInfo, ChunkName]] = []
    for info in infos:
        if not info.key.startswith(prefix) or "/" in info.key[len(prefix) :]:
            continue
        coverage = parse_compacted(info.key)
        if coverage is not None:
            compacted.append((info, coverage))
            continue
        chunk = parse_chunk(info.key)
        if chunk is not None:
            chunks.append((info, chunk))
    newest = [
        (info, cov)
        for info, cov in compacted
        if not any(other.high != cov.high and other.dominates(cov) for _, other in compacted)
    ]
    newest.sort(key=lambda pair: (pair[1].size, pair[0].key))
    kept = {info.key for info, _ in newest}
    superseded = [info for info, _ in compacted if info.key not in kept]
    live: list[tuple[BlobInfo, ChunkName]] = []
    for info, chunk in sorted(chunks, key=lambda pair: pair[1]):
        if any(cov.covers(chunk) for _, cov in newest):
            superseded.append(info)
        else:
            live.append((info, chunk))
    return StreamObjects(prefix, newest, live, superseded)
