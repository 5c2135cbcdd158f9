"""Logging a draft: hash, upload what the server lacks, upload the manifest, commit the version.

Runs on a background thread per ``log_artifact`` (``artifact.wait()`` joins it); the caller's thread
only validates the arguments. Each uploaded file is hard-linked into the cache as it lands (cache.py), so
a later download of the same version writes nothing twice and reads nothing from the network.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.hashing import Digests, hash_files
from wanllmdb.artifacts.manifest import ArtifactManifest, ArtifactManifestEntry
from wanllmdb.artifacts.names import check_alias
from wanllmdb.artifacts.progress import Progress
from wanllmdb.artifacts.ttl import ttl_fields
from wanllmdb.artifacts.upload import BlobUploader, UploadStats
from wanllmdb.errors import UsageError
from wanllmdb.rest import ApiError
from wanllmdb.termlog import termlog

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.artifacts.index import CacheIndex

__all__ = ["hash_draft", "log_without_run", "start_log"]

# The last version logged of each collection, while it is in flight. Logs run on threads of their own,
# so without this a later log_artifact() of the same name (a training's next checkpoint) that uploads
# faster would commit first: its version number, and the aliases it moves (best, latest), would be out of
# the order of the calls. Uploads still overlap; each commit waits for the one logged before it.
_in_flight: dict[tuple[str, str], Artifact] = {}
_in_flight_lock = threading.Lock()


def hash_draft(artifact: Artifact, index: CacheIndex | None) -> None:
    """Fill in digest, size and sha256 of every added file not hashed yet."""
    todo = [e for e in artifact._entries.values() if e.local_path is not None and not e.digest]
    if not todo:
        return
    if index is None and artifact._ctx is not None:
        index = artifact._ctx.cache.index
    digests = hash_files([e.local_path for e in todo if e.local_path], index)
    for entry, d in zip(todo, digests, strict=True):
        entry.digest, entry.size, entry.sha256 = d.md5, d.size, d.sha256


def start_log(
    artifact: Artifact,
    ctx: ArtifactContext,
    project_ref: str,
    *,
    run_id: str | None,
    aliases: list[str] | None,
    tags: list[str] | None,
    background: bool = True,
) -> Artifact:
    """Check the arguments now; hash, upload and commit on a thread (or here, `background=False`)."""
    if artifact._attrs is not None or artifact._logging:
        raise UsageError(f"artifact {artifact.name} is logged already; make a new Artifact for a new version")
    wanted = [check_alias(a) for a in [*artifact._aliases, *(aliases or [])] if a != "latest"]
    artifact._aliases = sorted(set(wanted))
    if tags:
        artifact._tags = sorted(set(artifact._tags) | set(tags))
    if not artifact._entries and not artifact.incremental:
        raise UsageError(f"artifact {artifact.name} is empty: add files, a directory or a reference first")
    artifact._ctx, artifact._project_ref = ctx, project_ref
    artifact._logging = True
    artifact._done.clear()
    key = (project_ref, artifact._name)
    with _in_flight_lock:
        before = _in_flight.get(key)
        _in_flight[key] = artifact

    def work() -> None:
        try:
            _log(artifact, ctx, project_ref, run_id, after=before)
        except BaseException as exc:
            artifact._error = exc
        finally:
            with _in_flight_lock:
                if _in_flight.get(key) is artifact:
                    del _in_flight[key]
            artifact._logging = False
            artifact._done.set()

    if background:
        threading.Thread(target=work, name=f"wanllmdb-artifact-{artifact._name}", daemon=True).start()
    else:
        work()
        if artifact._error is not None:
            raise artifact._error
    return artifact


def _latest(ctx: ArtifactContext, project_ref: str, name: str) -> tuple[str, ArtifactManifest] | None:
    """The collection's latest version (its id) and manifest, read once per log; None before v0.
    The manifest is asked for by version number, so both describe the same version."""
    from wanllmdb.artifacts.download import fetch_manifest
    from wanllmdb.artifacts.source import project_version_route

    try:
        latest = ctx.http.api("GET", project_version_route(project_ref, name, "latest"))
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return str(latest["id"]), fetch_manifest(ctx, project_version_route(project_ref, name, latest["version"]))


def _merge_latest(
    artifact: Artifact, latest: tuple[str, ArtifactManifest] | None
) -> dict[str, ArtifactManifestEntry]:
    """incremental=True: the collection's latest entries, less what was removed, under the draft's."""
    if latest is None:
        return dict(artifact._entries)
    version_id, manifest = latest
    merged = {}
    for path, entry in manifest.entries.items():
        if any(path == r or path.startswith(r + "/") for r in artifact._removed):
            continue
        entry.birth_artifact_id = entry.birth_artifact_id or version_id
        merged[path] = entry
    merged.update(artifact._entries)
    return merged


def _log(
    artifact: Artifact,
    ctx: ArtifactContext,
    project_ref: str,
    run_id: str | None,
    *,
    after: Artifact | None = None,
) -> None:
    """``after``: the version of the same collection logged just before, committed first (an
    incremental log also reads the latest version after it)."""
    started = time.monotonic()
    hash_draft(artifact, ctx.cache.index)
    if after is not None and artifact.incremental:
        after._done.wait()
    latest = _latest(ctx, project_ref, artifact._name)
    entries = _merge_latest(artifact, latest) if artifact.incremental else dict(artifact._entries)
    manifest = ArtifactManifest(entries)
    blobs: dict[str, tuple[str, int]] = {}
    for e in entries.values():
        if e.local_path is not None and e.sha256 is not None:
            blobs.setdefault(e.sha256, (e.local_path, int(e.size or 0)))
    local = {
        e.sha256: (e.local_path, Digests(e.digest, e.sha256, int(e.size or 0)))
        for e in entries.values()
        if e.local_path is not None and e.sha256 is not None
    }
    uploader = BlobUploader(
        ctx.http,
        project_ref,
        state_dir=ctx.cache.uploads,
        multipart_bytes=ctx.settings.artifact_multipart_bytes,
        # Uploaded files are hard-linked into the cache as they land, beside the uploads still going.
        on_sent=lambda shas: ctx.cache.adopt_uploaded(local[s] for s in shas),
    )
    progress = Progress(
        f"artifact {artifact._name}", total_bytes=sum(s for _, s in blobs.values()), total_files=len(blobs)
    )
    # What the collection's latest version already stores needs no grant: a re-log of 10k files
    # with 1% changed asks about 100, not 10,000 (the server trusts the same bytes at the same place
    # in its latest version at commit, and checks anything else).
    held = _locations(latest)
    todo = {sha: v for sha, v in blobs.items() if sha not in held}
    try:
        stats = uploader.upload(todo, collection=artifact._name, progress=progress) if todo else UploadStats()
        for sha in blobs.keys() & held.keys():
            stats.present += 1
            if (where := held[sha]) is not None:
                stats.locations[sha] = where
            progress.add(blobs[sha][1], files=1)
    finally:
        progress.close()
    for e in entries.values():
        if e.local_path is not None and e.sha256 is not None:
            e.pack, e.offset = stats.locations.get(e.sha256, (None, None))
    manifest_sha = uploader.upload_manifest(manifest.to_parquet())
    body: dict[str, Any] = {
        "name": artifact._name,
        "type": artifact._type,
        "manifest_sha256": manifest_sha,
        "digest": manifest.digest(),
        "description": artifact.description,
        "metadata": artifact._metadata,
        "aliases": artifact._aliases,
        "tags": artifact._tags,
        **ttl_fields(artifact._ttl),  # nothing when it inherits the project's
    }
    if run_id is not None:
        body["run_id"] = run_id
    if after is not None:
        after._done.wait()
    version = uploader.commit(body)
    artifact._ttl_changed = False
    ctx.cache.enforce_cap()
    artifact._attrs = version
    artifact._manifest = manifest
    for entry in manifest.entries.values():
        entry._artifact = artifact
    artifact._saved_aliases = list(version.get("aliases", []))
    artifact._aliases = list(artifact._saved_aliases)
    seconds = time.monotonic() - started
    if not version.get("created", True):
        termlog(
            f"artifact {artifact._name}: identical to {version['version']}, nothing uploaded", repeat=True
        )
    else:
        termlog(
            f"artifact {artifact._name}:{version['version']} logged: {len(entries)} files, "
            f"{stats.files} uploaded ({stats.bytes / 2**20:.1f} MiB{_in_packs(stats)}), "
            f"{stats.present} already stored, "
            f"{seconds:.1f} s"
        )


def _in_packs(stats: UploadStats) -> str:
    """', small files in 3 packs' when there were packs."""
    return f", small files in {stats.packs} pack{'s' if stats.packs != 1 else ''}" if stats.packs else ""


def _locations(latest: tuple[str, ArtifactManifest] | None) -> dict[str, tuple[str, int] | None]:
    """sha256 → (pack, offset), or None for a blob of its own, of what the latest version stores."""
    if latest is None:
        return {}
    _, manifest = latest
    return {
        e.sha256: (e.pack, int(e.offset or 0)) if e.pack else None
        for e in manifest.entries.values()
        if e.sha256 is not None
    }


def log_without_run(artifact: Artifact, *, project: str | None, settings: Any) -> None:
    """`artifact.save()` of a draft outside a run: commit it to `project` (settings' by default)."""
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.settings import Settings

    s = Settings.resolve(settings)
    ctx = ArtifactContext.of(s)
    name = project or s.project or "uncategorized"
    body = {"name": name, "entity": s.entity} if s.entity else {"name": name}
    project_item = ctx.http.api("POST", "/projects", body)
    ref = str(project_item["id"])
    artifact._display = f"{project_item.get('entity')}/{project_item.get('name', name)}"
    start_log(artifact, ctx, ref, run_id=None, aliases=None, tags=None, background=False)
