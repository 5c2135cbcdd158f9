"""Who is calling, once authenticated: the subject every policy decision is about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .policy import Permission

__all__ = ["Caller"]


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    is_admin: bool
    key_id: str | None
    via: Literal["api_key", "session"]
    # Organization/team name -> permissions held there, resolved once per request.
    entity_permissions: Mapping[str, frozenset[Permission]] = field(
        default_factory=dict, hash=False, compare=False
    )
