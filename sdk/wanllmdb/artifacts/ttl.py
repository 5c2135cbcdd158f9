"""An artifact version's TTL, as wandb's ``artifact.ttl``.

``artifact.ttl = timedelta(days=30)`` keeps the version 30 days after it was created, ``None`` keeps it
forever, ``wanllmdb.ArtifactTTL.INHERIT`` (the default) follows the project's ``artifact_ttl_days``.
A draft sends its TTL when it is logged; a logged artifact sends it on ``save()``. The server stores
whole days: a duration that is not a whole number of days is rounded up, so a version is never
deleted sooner than asked. The server refuses a TTL on a version linked into the registry or
holding the ``production`` alias, and says what to do.
"""

from __future__ import annotations

import math
from datetime import timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact

__all__ = ["ArtifactTTL", "TtlSetting", "apply_ttl", "check_ttl", "ttl_fields", "ttl_of"]

_DAY_S = 86_400


class ArtifactTTL(Enum):
    """wandb's: ``INHERIT`` takes the TTL of the project the version is logged to."""

    INHERIT = 0


TtlSetting = timedelta | ArtifactTTL | None


def check_ttl(value: Any) -> TtlSetting:
    if value is None or value is ArtifactTTL.INHERIT:
        return value  # type: ignore[no-any-return]
    if not isinstance(value, timedelta):
        raise TypeError(
            f"artifact.ttl takes a datetime.timedelta, None (keep forever) or wanllmdb.ArtifactTTL.INHERIT, "
            f"not {type(value).__name__}"
        )
    if value.total_seconds() <= 0:
        raise ValueError(f"artifact.ttl must be a positive duration, not {value}")
    return value


def ttl_fields(setting: TtlSetting) -> dict[str, Any]:
    """The request fields of a setting: nothing for INHERIT (a log omits it), else `ttl_days`."""
    if setting is ArtifactTTL.INHERIT:
        return {}
    if setting is None:
        return {"ttl_days": None}
    assert isinstance(setting, timedelta)
    return {"ttl_days": max(1, math.ceil(setting.total_seconds() / _DAY_S))}


def ttl_of(attrs: dict[str, Any]) -> timedelta | None:
    """The effective TTL the server answered with (its own or the project's); None: kept forever."""
    days = attrs.get("ttl_days")
    return None if days is None else timedelta(days=int(days))


def apply_ttl(artifact: Artifact) -> None:
    """PATCH a logged version's changed TTL to its project's artifact route; the server's answer
    becomes the artifact's attributes."""
    setting = artifact._ttl
    body = {"inherit": True} if setting is ArtifactTTL.INHERIT else ttl_fields(setting)
    ctx = artifact._logged()
    answer = ctx.http.api("PATCH", artifact._version_source.lineage_route, body)
    if artifact._attrs is not None:
        artifact._attrs.update({k: answer.get(k) for k in ("ttl_days", "ttl_inherited", "expires_at")})
    artifact._ttl_changed = False
