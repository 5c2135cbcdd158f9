"""Upload grants: presigned PUTs for server-chosen, deterministic keys under one run's prefix only."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from datetime import timedelta

from ..core.errors import Conflict, InvalidInput, TooLarge
from ..core.settings import Settings
from ..core.values import now_iso, now_utc
from ..lake.keys import chunk_content_type, upload_chunk_key, upload_path_key
from ..ports import BlobStore, Item
from ..ports.blob_store import validate_key
from .models import Grant, UploadItem

__all__ = ["PARQUET_CONTENT_TYPE", "grant_uploads", "validate_run_path"]

PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"
CHUNK_KINDS = frozenset({"history", "system", "logs"})


def validate_run_path(path: str, *, field: str) -> str:
    """A run-relative file name: refuse anything that could leave the run's prefix."""
    problem = None
    if "\x00" in path:
        problem = "must not contain NUL bytes"
    elif "\\" in path:
        problem = "must use '/' separators, not backslashes"
    elif path.startswith("/"):
        problem = "must be relative to the run, not absolute"
    elif any(part in ("", ".", "..") for part in path.split("/")):
        problem = "must not contain '..', '.' or empty segments"
    elif any(ord(c) < 0x20 for c in path):
        problem = "must not contain control characters"
    if problem:
        raise InvalidInput(f"{field} {path!r} {problem}; send a name such as 'plots/loss.png'", field=field)
    return path


def _key(run: Item, index: int, item: UploadItem, settings: Settings) -> tuple[str, int]:
    """The object key for one upload item, and the size bound of its kind."""
    where = f"items.{index}"
    project, run_id = run["project_id"], run["id"]
    if item.kind in CHUNK_KINDS:
        for name in ("seq", "attempt"):
            if getattr(item, name) is None:
                raise InvalidInput(
                    f"{where}.{name} is required for {item.kind} chunks", field=f"{where}.{name}"
                )
        assert item.seq is not None and item.attempt is not None
        if item.attempt > int(run.get("attempt", 0)):
            raise InvalidInput(
                f"{where}.attempt {item.attempt} is after the run's attempt {run.get('attempt', 0)}",
                field=f"{where}.attempt",
            )
        key = upload_chunk_key(
            item.kind,
            project=project,
            run=run_id,
            attempt=item.attempt,
            seq=item.seq,
            fmt=item.format or "parquet",
        )
        return key, settings.upload_chunk_max_bytes
    if item.format is not None:
        raise InvalidInput(
            f"{where}.format is for history, system and logs chunks; leave it out for {item.kind} uploads",
            field=f"{where}.format",
        )
    if item.path is None:
        raise InvalidInput(f"{where}.path is required for {item.kind} uploads", field=f"{where}.path")
    path = validate_run_path(item.path, field=f"{where}.path")
    return upload_path_key(item.kind, project=project, run=run_id, path=path), settings.upload_file_max_bytes


def grant_uploads(
    blobs: BlobStore, settings: Settings, run: Item, items: Sequence[UploadItem]
) -> list[Grant]:
    """One grant per item, in order; the caller has already been authorized to write the run."""
    if run["state"] != "running":
        raise Conflict(f"run {run['id']} is {run['state']}; resume it before uploading", field="state")
    planned = []
    for index, item in enumerate(items):
        key, bound = _key(run, index, item, settings)
        try:
            validate_key(key)
        except InvalidInput as exc:
            name = "path" if item.path is not None else "kind"
            raise InvalidInput(
                f"items.{index}.{name}: {exc.message}", field=f"items.{index}.{name}"
            ) from None
        if item.size > bound:
            raise TooLarge(f"items.{index}.size {item.size} is over the limit of {bound} bytes",
                           field=f"items.{index}.size")  # fmt: skip
        content_type = item.content_type or (
            chunk_content_type(item.format or "parquet") if item.kind in CHUNK_KINDS
            else mimetypes.guess_type(key)[0] or "application/octet-stream"
        )  # fmt: skip
        planned.append((item, key, content_type))
    # Validate the whole batch before signing anything, so a bad item fails the batch cleanly.
    expires_at = now_iso(now_utc() + timedelta(seconds=settings.grant_ttl_s))
    grants = []
    for item, key, content_type in planned:
        signed = blobs.presign_put(
            key,
            expires_s=settings.grant_ttl_s,
            content_length=item.size,
            content_type=content_type,
            sha256_hex=item.sha256.lower(),
        )
        grants.append(
            Grant(kind=item.kind, key=key, url=signed.url, method="PUT", headers=dict(signed.headers),
                  expires_at=now_iso(signed.expires_at) if signed.expires_at else expires_at)
        )  # fmt: skip
    return grants
