"""Who is calling, once authenticated: the subject every policy decision is about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .policy import Permission

__all__ = ["ANONYMOUS", "Caller"]


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    is_admin: bool
    key_id: str | None
    # "anonymous": no token, on a route that lets anyone read public projects (identity.authn.ReaderDep).
    via: Literal["api_key", "session", "anonymous"]
    # Organization/team name -> permissions held there, resolved once per request.
    entity_permissions: Mapping[str, frozenset[Permission]] = field(
        default_factory=dict, hash=False, compare=False
    )
    # Projects whose runs a report's share link, sent with this request, lets the caller read: the
    # link's report draws its panels from them for a viewer with no access of their own.
    link_projects: frozenset[str] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.via == "anonymous"


# Whoever reads without a token: holds nothing but what public projects give everyone.
ANONYMOUS = Caller(user_id="", username="anonymous", is_admin=False, key_id=None, via="anonymous")
