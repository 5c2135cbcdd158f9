"""The run item and its config versions: building, size checks, server-side scrubbing, loading.

A config is kept whole. Up to `config_inline_max_bytes` of JSON it lives on the items; beyond
that each version is one BlobStore object and the items keep its key, so a 10 MB config is
never truncated and never pushes an item past DynamoDB's 400 KB.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..core.settings import Settings
from ..core.values import checked_json
from ..lake.keys import config_blob_key
from ..ports import BlobStore, Condition, Item, TransactOp
from .keys import config_version_key
from .models import Run, RunMetadata

__all__ = [
    "clean_metadata",
    "config_version_op",
    "json_safe",
    "load_config",
    "run_from_item",
    "scrub_remote",
]

MAX_METADATA_BYTES = 64 << 10


def scrub_remote(url: str) -> str:
    """A git remote without anything secret: no user info, no query, fragment or ;parameters.

    The SDK scrubs too; the server never trusts it to.

    URL remotes are parsed with urllib.parse; scp-like ones (`user@host:path`) keep only the `git`
    login, which is the ssh user and never a secret.
    """
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 literal keeps its brackets
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:  # not a number: no port worth keeping
            port = None
        netloc = f"{host}:{port}" if port else host
        return urlunsplit((parts.scheme, netloc, parts.path.split(";", 1)[0], "", ""))
    login, at, rest = url.rpartition("@")
    host, colon, path = _without_parameters(rest).partition(":")
    if colon and host and "/" not in host:
        return f"{'git@' if at and login == 'git' else ''}{host}:{path}"
    return _without_parameters(url)


def _without_parameters(text: str) -> str:
    """`text` up to its first query, `;parameter` or fragment: where tokens ride along."""
    for mark in "?;#":
        text = text.split(mark, 1)[0]
    return text


def clean_metadata(metadata: RunMetadata | None) -> dict[str, Any]:
    if metadata is None:
        return {}
    data = metadata.model_dump(exclude_none=True)
    git = data.get("git")
    if isinstance(git, dict) and isinstance(git.get("remote"), str):
        git["remote"] = scrub_remote(git["remote"])
    checked_json(data, limit=MAX_METADATA_BYTES, field="metadata")
    return data


def config_version_op(
    blobs: BlobStore, settings: Settings, run: Item, config: dict[str, Any], version: int, at: str
) -> tuple[TransactOp, dict[str, Any]]:
    """The version item to write (must not exist yet) and the attributes the run item takes.

    A large config is written to its blob first: if the item write then fails, the orphan is
    overwritten by the next attempt at the same version, and nothing ever points at a missing blob.
    """
    encoded = checked_json(config, limit=settings.config_max_bytes, field="config")
    pk, sk = config_version_key(run, version)
    item: Item = {"pk": pk, "sk": sk, "version": version, "changed_at": at}
    if len(encoded.encode()) <= settings.config_inline_max_bytes:
        attrs: dict[str, Any] = {"config": config, "config_ref": None}
    else:
        key = config_blob_key(project=run["project_id"], run=run["id"], version=version)
        blobs.put(key, encoded.encode(), content_type="application/json")
        attrs = {"config": None, "config_ref": key}
    item.update({k: v for k, v in attrs.items() if v is not None})
    attrs["config_version"] = version
    return TransactOp("put", item, Condition.not_exists()), attrs


def load_config(blobs: BlobStore, item: Item) -> dict[str, Any]:
    """The config of a run item or a version item, wherever it lives."""
    if item.get("config_ref"):
        loaded: dict[str, Any] = json.loads(blobs.get(item["config_ref"]))
        return loaded
    config: dict[str, Any] = item.get("config") or {}
    return config


def json_safe(value: Any) -> Any:
    """NaN and ±inf as the strings JSON clients understand; JSON itself has no spelling for them."""
    try:  # the usual value holds neither: the C encoder tells at once, without a Python walk
        json.dumps(value, allow_nan=False)
        return value
    except (ValueError, TypeError):
        return _json_safe(value)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def run_from_item(item: Item, config: dict[str, Any]) -> Run:
    return Run(
        id=item["id"],
        project_id=item["project_id"],
        entity=item["entity"],
        project=item["project"],
        name=item.get("name"),
        state=item["state"],
        attempt=int(item.get("attempt", 0)),
        config=json_safe(config),
        summary=json_safe(item.get("summary") or {}),
        tags=item.get("tags") or [],
        notes=item.get("notes"),
        group=item.get("group"),
        job_type=item.get("job_type"),
        sweep_id=item.get("sweep_id"),
        metadata=item.get("metadata") or {},
        created_by=item.get("created_by"),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        heartbeat_at=item.get("heartbeat_at"),
        finished_at=item.get("finished_at"),
        exit_code=item.get("exit_code"),
    )
