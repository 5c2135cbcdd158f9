"""Every key, prefix and partition of the lake: the one module that formats or parses one.

Templates come from `schemas/lake_schema.json` `layout` (loaded, never copied). Ids are checked
before they enter a key, so no id can escape its prefix.

What each object name says about its rows:

Two kinds of objects sit under one stream prefix
`metrics/project={p}/run={r}/stream={s}/`, and likewise under a run's log prefix
`logs/project={p}/run={r}/` (see schemas/lake_schema.json `layout`):

- chunks, written by the SDK: `chunk-a{attempt:04d}-{seq:09d}.parquet`, or
  `_chunk-a{attempt:04d}-{seq:09d}.jsonl.gz` from SDKs without a Parquet writer (`chunk_formats` in
  the schema, lake/jsonl.py; the underscore hides it from Athena's Parquet tables): the same rows;
- compacted files, written by compaction: `compact-{coverage}.parquet`, where coverage lists,
  per attempt, the highest chunk seq it holds, e.g. `compact-a0000s000000041-a0001s000000007`.
  Its name is the manifest: a reader learns which chunks a compacted file covers from the
  listing alone, with no extra GET (docs/lake.md).

Beside each compacted metric file, under its own top-level folder so that tools reading
`metrics/**` never mistake it for metric rows, compaction writes the stream's level-of-detail
pyramid `lod/project={p}/run={r}/stream={s}/lod-{coverage}.parquet` with the same coverage name.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import InvalidInput

__all__ = [
    "CHUNK_FORMATS",
    "LAKE_SCHEMA_PATH",
    "LOGS",
    "STREAMS",
    "ChunkName",
    "Coverage",
    "artifact_blob_key",
    "artifact_manifest_key",
    "artifact_pack_key",
    "chunk_content_type",
    "chunk_format",
    "chunk_key",
    "chunk_roots",
    "chunk_stream",
    "compacted_key",
    "compacted_log_key",
    "config_blob_key",
    "file_prefix",
    "lake_layout",
    "lake_schema",
    "lod_key",
    "lod_prefix",
    "lod_stream",
    "log_prefix",
    "media_key",
    "media_object_path",
    "media_prefix",
    "parse_chunk",
    "parse_compacted",
    "parse_lod",
    "project_export_key",
    "project_prefix",
    "project_prefixes",
    "run_export_key",
    "run_index_key",
    "run_prefix",
    "run_prefixes",
    "saved_file_key",
    "stream_prefix",
    "top_level_prefixes",
    "upload_chunk_key",
    "upload_path_key",
]


def _find_schema() -> Path:
    # In the repo the package sits at functions/wanllmdb_functions, so schemas/ is three levels up; in a
    # Lambda bundle (infra_cdk/bundle.py) it sits at /var/task/wanllmdb_functions beside /var/task/schemas.
    here = Path(__file__).resolve()
    candidates = [root / "schemas" / "lake_schema.json" for root in (here.parents[3], here.parents[2])]
    return next((c for c in candidates if c.is_file()), candidates[0])


LAKE_SCHEMA_PATH = _find_schema()


@functools.cache
def lake_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(LAKE_SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def lake_layout() -> dict[str, str]:
    """Key templates by name (`partitions` left out: it is a list of column names)."""
    return {k: v for k, v in lake_schema()["layout"].items() if isinstance(v, str)}


def _key(name: str, **parts: object) -> str:
    return lake_layout()[name].format(**parts)


def chunk_roots() -> tuple[str, ...]:
    """The top-level folders that hold chunks (metric streams and console logs)."""
    layout = lake_layout()
    return tuple(t.split("/", 1)[0] + "/" for t in (layout["metric_chunk"], layout["log_chunk"]))


def top_level_prefixes() -> tuple[str, ...]:
    """Every top-level folder of the lake bucket (IAM grants are written per folder)."""
    return tuple(sorted({t.split("/", 1)[0] + "/" for t in lake_layout().values()}))


STREAMS: tuple[str, ...] = tuple(lake_schema()["streams"])
LOGS = "logs"  # a run's console output: compacted like a stream, under its own prefix
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
CHUNK_FORMATS: tuple[str, ...] = tuple(k for k in lake_schema()["chunk_formats"] if not k.startswith("$"))
_SUFFIXES = {fmt: lake_schema()["chunk_formats"][fmt]["suffix"] for fmt in CHUNK_FORMATS}
# A name prefix of "_" hides a chunk from Hive-style readers (Athena, Spark, Glue), which read every
# object of a partition as the table's format: a JSON-lines chunk must not be opened as Parquet.
_NAME_PREFIXES = {fmt: lake_schema()["chunk_formats"][fmt].get("name_prefix", "") for fmt in CHUNK_FORMATS}
_CHUNK = re.compile(
    r"(?:^|/)(?P<hidden>_?)chunk-a(?P<attempt>\d{4})-(?P<seq>\d{9})(?P<suffix>"
    + "|".join(re.escape(s) for s in _SUFFIXES.values())
    + r")$"
)
_COMPACT = re.compile(r"compact-((?:a\d{4}s\d{9}-?)+)\.parquet$")
_COVER_PART = re.compile(r"a(\d{4})s(\d{9})")
_LOD = re.compile(r"lod-((?:a\d{4}s\d{9}-?)+)\.parquet$")
_LOD_KEY = re.compile(r"^lod/project=([^/]+)/run=([^/]+)/stream=([^/]+)/[^/]+$")
_STREAM_KEY = re.compile(r"^metrics/project=([^/]+)/run=([^/]+)/stream=([^/]+)/[^/]+$")
_LOG_KEY = re.compile(r"^logs/project=([^/]+)/run=([^/]+)/[^/]+$")


def _checked(value: str, field: str) -> str:
    # Ids go into object keys and Hive partition values: refuse anything that could escape a prefix.
    if not _ID.match(value) or value in (".", ".."):
        raise InvalidInput(f"{field} must match [A-Za-z0-9_.-]{{1,128}}", field=field)
    return value


def _head(template: str, **parts: str) -> str:
    """A template filled up to its first unfilled placeholder, cut back to a whole path segment."""
    head = template
    for name, value in parts.items():
        head = head.replace("{" + name + "}", value)
    cut = head.find("{")
    return head if cut < 0 else head[: head.rfind("/", 0, cut) + 1]


def project_prefix(project_id: str) -> str:
    """Where a project's metric streams live."""
    return _head(lake_layout()["metric_chunk"], project=_checked(project_id, "project_id"))


def run_prefix(project_id: str, run_id: str) -> str:
    return _head(
        lake_layout()["metric_chunk"],
        project=_checked(project_id, "project_id"),
        run=_checked(run_id, "run_id"),
    )


def stream_prefix(project_id: str, run_id: str, stream: str) -> str:
    if stream not in STREAMS:
        raise InvalidInput(f"stream must be one of {', '.join(STREAMS)}", field="stream")
    return _head(
        lake_layout()["metric_chunk"],
        project=_checked(project_id, "project_id"),
        run=_checked(run_id, "run_id"),
        stream=stream,
    )


def log_prefix(project_id: str, run_id: str) -> str:
    return _head(
        lake_layout()["log_chunk"], project=_checked(project_id, "project_id"), run=_checked(run_id, "run_id")
    )


def file_prefix(project_id: str, run_id: str) -> str:
    """Where the files a run `save()`d live."""
    return _head(
        lake_layout()["file"], project=_checked(project_id, "project_id"), run=_checked(run_id, "run_id")
    )


def media_prefix(project_id: str, run_id: str) -> str:
    """Where a run's media objects (images, audio, ...) live; rows name them by `ref` below it."""
    return _head(
        lake_layout()["media"], project=_checked(project_id, "project_id"), run=_checked(run_id, "run_id")
    )


def _relative(path: str, field: str) -> str:
    """`path` below a run's prefix, refused when it could leave it (it comes from a client)."""
    if not path or len(path) > 512 or path.startswith("/") or "\\" in path or "\x00" in path:
        raise InvalidInput(f"a {field} is a relative path of 1..512 characters", field=field)
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise InvalidInput(f"a {field} must not hold empty, '.' or '..' segments", field=field)
    return path


def media_key(project_id: str, run_id: str, ref: str) -> str:
    """The key of the media object a row's `ref` (or a descriptor's `path`) names."""
    return media_prefix(project_id, run_id) + _relative(ref, "ref")


def _sha256_hex(value: str) -> str:
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidInput("sha256 must be 64 lowercase hex characters", field="sha256")
    return value


def artifact_blob_key(project_id: str, sha256_hex: str) -> str:
    """Where the bytes of an artifact entry live: once per project, addressed by their SHA-256.

    Per project rather than per tenant: a blob key shared across projects would let a writer of one
    project overwrite (by multipart, which cannot be checksummed up front) bytes another project's
    versions name, and would tell anyone whether some other project holds a given file."""
    sha = _sha256_hex(sha256_hex)
    return _key("artifact_blob", project=_checked(project_id, "project_id"), shard=sha[:2], sha256=sha)


def artifact_pack_key(project_id: str, sha256_hex: str) -> str:
    """A pack: many small blobs of one project concatenated into one object, addressed by the pack's
    SHA-256. A manifest entry names its pack and offset; one PUT (and one ranged GET) carries
    thousands of small files where a blob each would cost a request each."""
    sha = _sha256_hex(sha256_hex)
    return _key("artifact_pack", project=_checked(project_id, "project_id"), shard=sha[:2], sha256=sha)


def artifact_manifest_key(project_id: str, sha256_hex: str) -> str:
    """An artifact manifest (schemas/artifact_manifest.json), content-addressed within its project."""
    return _key(
        "artifact_manifest", project=_checked(project_id, "project_id"), sha256=_sha256_hex(sha256_hex)
    )


def saved_file_key(project_id: str, run_id: str, path: str) -> str:
    """The key of the file a run `save()`d at `path`."""
    return file_prefix(project_id, run_id) + _relative(path, "path")


def media_object_path(type_dir: str, key: str, step: int, sha256_hex: str, ext: str) -> str:
    """A media object's path below the run's media prefix (schemas/media_descriptors.json
    `object_path`): content-addressed, so identical bytes logged twice share one object."""
    name = f"{key.replace('/', '.')}_{step}_{sha256_hex[:20]}.{ext}"
    return f"{type_dir}/{name}"


def _formatted(key: str, fmt: str) -> str:
    """A chunk key (its template ends in .parquet) with the name prefix and suffix of format `fmt`."""
    if fmt not in _SUFFIXES:
        raise InvalidInput(f"format must be one of {', '.join(CHUNK_FORMATS)}", field="format")
    folder, _, name = key.rpartition("/")
    return f"{folder}/{_NAME_PREFIXES[fmt]}{name.removesuffix(_SUFFIXES['parquet'])}{_SUFFIXES[fmt]}"


def chunk_key(
    project_id: str, run_id: str, stream: str, *, attempt: int, seq: int, fmt: str = "parquet"
) -> str:
    stream_prefix(project_id, run_id, stream)  # checks the ids and the stream
    key = _key("metric_chunk", project=project_id, run=run_id, stream=stream, attempt=attempt, seq=seq)
    return _formatted(key, fmt)


def upload_chunk_key(
    kind: str, *, project: str, run: str, attempt: int, seq: int, fmt: str = "parquet"
) -> str:
    """The key an upload grant names for one chunk of `kind` (a metric stream, or `logs`) in `fmt`.

    Deterministic per chunk: a retried upload overwrites the same object and never duplicates.
    """
    if kind == LOGS:
        log_prefix(project, run)
        return _formatted(_key("log_chunk", project=project, run=run, attempt=attempt, seq=seq), fmt)
    return chunk_key(project, run, kind, attempt=attempt, seq=seq, fmt=fmt)


def chunk_format(key: str) -> str | None:
    """`parquet` or `jsonl` for a chunk's key (by its suffix); None for any other key."""
    match = _CHUNK.search(key)
    if match is None:
        return None
    return next(
        (
            fmt
            for fmt, suffix in _SUFFIXES.items()
            if suffix == match["suffix"] and _NAME_PREFIXES[fmt] == match["hidden"]
        ),
        None,
    )


def chunk_content_type(fmt: str) -> str:
    """The Content-Type a chunk of format `fmt` is uploaded with (the grant signs it)."""
    if fmt not in _SUFFIXES:
        raise InvalidInput(f"format must be one of {', '.join(CHUNK_FORMATS)}", field="format")
    return str(lake_schema()["chunk_formats"][fmt]["content_type"])


def upload_path_key(kind: str, *, project: str, run: str, path: str) -> str:
    """The key of a run's saved file (`file`) or media object (`media`) at `path`."""
    if kind not in ("file", "media"):
        raise InvalidInput("kind must be file or media", field="kind")
    return _key(kind, project=_checked(project, "project_id"), run=_checked(run, "run_id"), path=path)


def config_blob_key(*, project: str, run: str, version: int) -> str:
    """A config version too large for a table item; under the run, so deleting the run removes it."""
    return _key("config_version", project=project, run=run, version=version)


def run_export_key(project_id: str, run_id: str, stream: str, fingerprint: str) -> str:
    return _key(
        "run_export",
        project=_checked(project_id, "project_id"),
        run=_checked(run_id, "run_id"),
        stream=stream,
        fingerprint=fingerprint,
    )


def project_export_key(project_id: str, digest: str) -> str:
    return _key("project_export", project=_checked(project_id, "project_id"), digest=digest)


def run_index_key(project_id: str) -> str:
    """The project's run index: one Parquet file analysts join metrics with (docs/lake.md)."""
    return _key("run_index", project=_checked(project_id, "project_id"))


def project_prefixes(project: str) -> list[str]:
    """Every prefix that holds objects of this project (those whose template names `{project}`):
    its runs' data, exports, run index, artifact blobs and manifests."""
    templates = [t for t in lake_layout().values() if "{project}" in t]
    heads = {_head(t, project=_checked(project, "project_id")) for t in templates}
    return sorted(head[: head.rfind("/") + 1] for head in heads)  # a folder, also for runs.parquet


def run_prefixes(project: str, run: str) -> list[str]:
    """Every prefix that holds objects of this one run (those whose template names `{run}`)."""
    templates = [t for t in lake_layout().values() if "{run}" in t]
    return sorted({_head(t, project=project, run=run) for t in templates})


@dataclass(frozen=True, order=True)
class ChunkName:
    attempt: int
    seq: int


def parse_chunk(key: str) -> ChunkName | None:
    if chunk_format(key) is None:
        return None
    match = _CHUNK.search(key)
    assert match is not None
    return ChunkName(int(match["attempt"]), int(match["seq"]))


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
    stream_prefix(project_id, run_id, stream)
    return _key("metric_compacted", project=project_id, run=run_id, stream=stream, coverage=coverage.name())


def compacted_log_key(project_id: str, run_id: str, coverage: Coverage) -> str:
    log_prefix(project_id, run_id)
    return _key("log_compacted", project=project_id, run=run_id, coverage=coverage.name())


def parse_compacted(key: str) -> Coverage | None:
    match = _COMPACT.search(key)
    if not match:
        return None
    return Coverage({int(a): int(s) for a, s in _COVER_PART.findall(match.group(1))})


def lod_key(project_id: str, run_id: str, stream: str, coverage: Coverage) -> str:
    """The level-of-detail pyramid of the compacted file with this coverage (lake/lod.py)."""
    stream_prefix(project_id, run_id, stream)
    return _key("metric_lod", project=project_id, run=run_id, stream=stream, coverage=coverage.name())


def lod_prefix(project_id: str, run_id: str | None = None, stream: str | None = None) -> str:
    """Where the pyramids of a project, of one run, or of one run stream live."""
    parts = {"project": _checked(project_id, "project_id")}
    if run_id is not None:
        parts["run"] = _checked(run_id, "run_id")
        if stream is not None:
            stream_prefix(project_id, run_id, stream)
            parts["stream"] = stream
    return _head(lake_layout()["metric_lod"], **parts)


def parse_lod(key: str) -> Coverage | None:
    """The coverage a pyramid's key names; None for any other key."""
    match = _LOD.search(key)
    if not match:
        return None
    return Coverage({int(a): int(s) for a, s in _COVER_PART.findall(match.group(1))})


def lod_stream(key: str) -> tuple[str, str, str] | None:
    """(project, run, stream) of a pyramid's key; None for any other key."""
    if parse_lod(key) is None or not (match := _LOD_KEY.match(key)):
        return None
    project_id, run_id, stream = match.groups()
    return (project_id, run_id, stream) if stream in STREAMS else None
