"""Where a run's metric and log objects live in the lake, and what each object name says about its rows.

Two kinds of objects sit under one stream prefix
`metrics/project={p}/run={r}/stream={s}/`, and likewise under a run's log prefix
`logs/project={p}/run={r}/` (see schemas/lake_schema.json `layout`):

- chunks, written by the SDK: `chunk-a{attempt:04d}-{seq:09d}.parquet`;
- compacted files, written by compaction: `compact-{coverage}.parquet`, where coverage lists,
  per attempt, the highest chunk seq it holds, e.g. `compact-a0000s000000041-a0001s000000007`.
  Its name is the manifest: a reader learns which chunks a compacted file covers from the
  listing alone, with no extra GET (docs/lake.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.errors import InvalidInput

__all__ = [
    "LOGS",
    "STREAMS",
    "ChunkName",
    "Coverage",
    "chunk_key",
    "chunk_stream",
    "compacted_key",
    "compacted_log_key",
    "log_prefix",
    "parse_chunk",
    "parse_compacted",
    "project_prefix",
    "run_prefix",
    "stream_prefix",
]

STREAMS = ("history", "system")
LOGS = "logs"  # a run's console output: compacted like a stream, under its own prefix
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_CHUNK = re.compile(r"chunk-a(\d{4})-(\d{9})\.parquet$")
_COMPACT = re.compile(r"compact-((?:a\d{4}s\d{9}-?)+)\.parquet$")
_COVER_PART = re.compile(r"a(\d{4})s(\d{9})")
_STREAM_KEY = re.compile(r"^metrics/project=([^/]+)/run=([^/]+)/stream=([^/]+)/[^/]+$")
_LOG_KEY = re.compile(r"^logs/project=([^/]+)/run=([^/]+)/[^/]+$")


def _checked(value: str, field: str) -> str:
    # Ids go into object keys and Hive partition values: refuse anything that could escape a prefix.
    if not _ID.match(value) or value in (".", ".."):
        raise InvalidInput(f"{field} must match [A-Za-z0-9_.-]{{1,128}}", field=field)
    return value


def project_prefix(project_id: str) -> str:
    return f"metrics/project={_checked(project_id, 'project_id')}/"


def run_prefix(project_id: str, run_id: str) -> str:
    return f"{project_prefix(project_id)}run={_checked(run_id, 'run_id')}/"


def stream_prefix(project_id: str, run_id: str, stream: str) -> str:
    if stream not in STREAMS:
        raise InvalidInput(f"stream must be one of {', '.join(STREAMS)}", field="stream")
    return f"{run_prefix(project_id, run_id)}stream={stream}/"


def log_prefix(project_id: str, run_id: str) -> str:
    return f"logs/project={_checked(project_id, 'project_id')}/run={_checked(run_id, 'run_id')}/"


def chunk_key(project_id: str, run_id: str, stream: str, *, attempt: int, seq: int) -> str:
    return f"{stream_prefix(project_id, run_id, stream)}chunk-a{attempt:04d}-{seq:09d}.parquet"


@dataclass(frozen=True, order=True)
class ChunkName:
    attempt: int
    seq: int


def parse_chunk(key: str) -> ChunkName | None:
    match = _CHUNK.search(key)
    return ChunkName(int(match.group(1)), int(match.group(2))) if match else None


def chunk_stream(key: str) -> tuple[str, str, str] | None:
    """(project, run, stream) of a raw chunk's key, with stream LOGS for console output; None for
    anything else (compacted files, files, media, unknown streams)."""
    if parse_chunk(key) is None:
        return None
    if match := _STREAM_KEY.match(key):
        project_id, run_id, stream = match.groups()
        return (project_id, run_id, stream) if stream in STREAMS else None
    if match := _LOG_KEY.match(key):
        return match.group(1), match.group(2), LOGS
    return None


@dataclass(frozen=True)
class Coverage:
    """The highest chunk seq a compacted file holds, per attempt; seqs 0..high are all inside."""

    high: Mapping[int, int]

    def covers(self, chunk: ChunkName) -> bool:
        high = self.high.get(chunk.attempt)
        return high is not None and chunk.seq <= high

    def dominates(self, other: Coverage) -> bool:
        return all(self.high.get(a, -1) >= s for a, s in other.high.items())

    @property
    def size(self) -> int:
        return sum(s + 1 for s in self.high.values())

    @property
    def attempts(self) -> int:
        return len(self.high)

    def name(self) -> str:
        return "-".join(f"a{a:04d}s{s:09d}" for a, s in sorted(self.high.items()))


def compacted_key(project_id: str, run_id: str, stream: str, coverage: Coverage) -> str:
    return f"{stream_prefix(project_id, run_id, stream)}compact-{coverage.name()}.parquet"


def compacted_log_key(project_id: str, run_id: str, coverage: Coverage) -> str:
    return f"{log_prefix(project_id, run_id)}compact-{coverage.name()}.parquet"


def parse_compacted(key: str) -> Coverage | None:
    match = _COMPACT.search(key)
    if not match:
        return None
    return Coverage({int(a): int(s) for a, s in _COVER_PART.findall(match.group(1))})
