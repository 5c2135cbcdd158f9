"""Artifacts of offline runs: spooled into the run dir, logged by `wanllmdb sync`.

`log_artifact` in an offline run hashes the draft on a thread and writes `<run dir>/artifacts/NNNN.json`
(its entries with their digests and local paths; files made with new_file/add are copied next to it,
as their staging folder does not outlive the process). `wanllmdb sync`, once the run is on the
server, checks each local file still has the digest it had when logged (a changed file fails the
sync naming it, rather than logging other bytes), then uploads and commits the version with the
run's lineage, and renames the file to NNNN.json.done.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.manifest import ArtifactManifestEntry
from wanllmdb.artifacts.names import check_alias
from wanllmdb.artifacts.ttl import ttl_fields

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.settings import Settings

__all__ = ["has_spooled_artifacts", "spool_artifact", "spool_unsent", "sync_spooled_artifacts"]

_lock = threading.Lock()
_FIELDS = (
    "path",
    "digest",
    "size",
    "sha256",
    "ref",
    "birth_artifact_id",
    "extra",
    "pack",
    "offset",
    "local_path",
)


def _folder(run_dir: Path) -> Path:
    return run_dir / "artifacts"


def has_spooled_artifacts(run_dir: Path) -> bool:
    return any(_folder(run_dir).glob("*.json"))


def spool_artifact(
    artifact: Artifact,
    run_dir: Path,
    settings: Settings,
    *,
    aliases: list[str] | None,
    tags: list[str] | None,
) -> None:
    """Keep ``artifact`` in the run dir for ``wanllmdb sync`` (an offline run's log_artifact); the hashing
    and copying run on a thread, as an upload would."""
    from wanllmdb.errors import UsageError

    if artifact._attrs is not None or artifact._logging:
        raise UsageError(f"artifact {artifact.name} is logged already; make a new Artifact for a new version")
    if not artifact._entries:
        raise UsageError(f"artifact {artifact.name} is empty: add files, a directory or a reference first")
    wanted = sorted({check_alias(a) for a in [*artifact._aliases, *(aliases or [])] if a != "latest"})
    artifact._logging = True
    artifact._spooled = True
    artifact._done.clear()

    def work() -> None:
        try:
            _write_record(artifact, run_dir, settings, aliases=wanted, tags=tags)
        except BaseException as exc:
            artifact._error = exc
        finally:
            artifact._logging = False
            artifact._done.set()

    threading.Thread(target=work, name=f"wanllmdb-artifact-spool-{artifact._name}", daemon=True).start()


def spool_unsent(artifact: Artifact, run_dir: Path, settings: Settings) -> Path:
    """Keep an artifact whose upload could not reach the server in the run dir for ``wanllmdb sync``,
    here and now (finish() calls it). The upload's own thread keeps its state; if it commits after all,
    sync's commit of the same digest finds that version instead of making another."""
    wanted = sorted({a for a in artifact._aliases if a != "latest"})
    return _write_record(artifact, run_dir, settings, aliases=wanted, tags=None)


def _write_record(
    artifact: Artifact, run_dir: Path, settings: Settings, *, aliases: list[str], tags: list[str] | None
) -> Path:
    """Hash the draft and write its spool record (files staged by ``new_file`` copied beside it)."""
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.artifacts.logging_flow import hash_draft

    hash_draft(artifact, ArtifactContext.of(settings).cache.index)
    folder = _folder(run_dir)
    folder.mkdir(exist_ok=True)
    with _lock:
        seq = len(list(folder.glob("*.json*"))) + 1
        target = folder / f"{seq:04d}.json"
        target.with_suffix(".json.tmp").write_text("")  # claims the number
    entries = []
    for entry in artifact._entries.values():
        row = {f: getattr(entry, f) for f in _FIELDS}
        staging = artifact._staging
        if entry.local_path and staging is not None and Path(entry.local_path).is_relative_to(staging):
            kept = folder / f"{seq:04d}-files" / entry.path
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.local_path, kept)
            row["local_path"] = str(kept)
        entries.append(row)
    body = {
        "name": artifact._name,
        "type": artifact._type,
        "description": artifact.description,
        "metadata": artifact._metadata,
        "aliases": aliases,
        "tags": sorted(set(artifact._tags) | set(tags or [])),
        "incremental": artifact.incremental,
        "removed": sorted(artifact._removed),
        "entries": entries,
        **ttl_fields(artifact._ttl),
    }
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(body))
    os.replace(tmp, target)
    return target


def sync_spooled_artifacts(
    run_dir: Path, settings: Settings, *, project_id: str, run_id: str | None
) -> tuple[int, list[str]]:
    """Log every spooled artifact of a run that is now on the server: (logged, problems)."""
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.artifacts.hashing import hash_files
    from wanllmdb.artifacts.logging_flow import start_log

    ctx = ArtifactContext.of(settings)
    logged, problems = 0, []
    for spooled in sorted(_folder(run_dir).glob("*.json")):
        body: dict[str, Any] = json.loads(spooled.read_text())
        art = Artifact(
            body["name"],
            body["type"],
            body.get("description"),
            body.get("metadata") or {},
            incremental=bool(body.get("incremental")),
        )
        art._removed = set(body.get("removed") or [])
        if "ttl_days" in body:  # absent: it inherits the project's
            art._ttl = None if body["ttl_days"] is None else timedelta(days=int(body["ttl_days"]))
        for row in body["entries"]:
            art._entries[row["path"]] = ArtifactManifestEntry(**{f: row.get(f) for f in _FIELDS})
        local = [e for e in art._entries.values() if e.local_path]
        try:
            now = hash_files([str(e.local_path) for e in local], ctx.cache.index)
        except Exception as exc:
            problems.append(f"artifact {art._name} ({spooled.name}): {exc}")
            continue
        changed = [(e, d) for e, d in zip(local, now, strict=True) if d.md5 != e.digest]
        if changed:
            e, d = changed[0]
            problems.append(
                f"artifact {art._name} ({spooled.name}): {e.local_path!r} changed since log_artifact "
                f"(digest {e.digest}, now {d.md5}); not synced. Log a new artifact from an online run"
            )
            continue
        try:
            start_log(
                art,
                ctx,
                project_id,
                run_id=run_id,
                aliases=body.get("aliases"),
                tags=body.get("tags"),
                background=False,
            )
        except Exception as exc:
            problems.append(f"artifact {art._name} ({spooled.name}): {exc}")
            continue
        spooled.rename(spooled.with_suffix(".json.done"))
        logged += 1
    return logged, problems
