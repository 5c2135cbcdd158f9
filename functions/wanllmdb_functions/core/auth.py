"""Who is calling: `Authorization: Bearer <API key | session token>` resolved to a `Caller`.

Routes take `caller: CallerDep`; a request without a valid token never reaches them (401).
What the caller may do is decided only by `core.policy.authorize`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ..identity import keys
from ..identity.credentials import API_KEY_PREFIX, SESSION_PREFIX, CredentialService
from ..identity.roles import RoleService
from ..ports import ItemStore
from .deps import state_of
from .errors import Unauthenticated
from .policy import Permission

__all__ = ["Caller", "CallerDep", "authenticated", "bearer_credentials", "resolve_caller"]


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


def _entity_permissions(items: ItemStore, user_id: str) -> dict[str, frozenset[Permission]]:
    memberships: list[tuple[str, str]] = []
    cursor: str | None = None
    while True:
        page = items.query(keys.memberships_of(user_id), index="gsi1", cursor=cursor, limit=200)
        memberships += [(m["entity"], m["role"]) for m in page.items]
        if page.cursor is None:
            break
        cursor = page.cursor
    if not memberships:
        return {}
    perms = RoleService(items).permissions(role for _, role in memberships)
    return {entity: perms.get(role, frozenset()) for entity, role in memberships}


def resolve_caller(items: ItemStore, token: str, *, session_ttl_s: int) -> Caller:
    """The caller behind a bearer token: an API key (`wl_…`) or a session token (`wls_…`)."""
    credentials = CredentialService(items, session_ttl_s=session_ttl_s)
    via: Literal["api_key", "session"]
    if token.startswith(SESSION_PREFIX):
        record, key_id, via = credentials.verify_session(token), None, "session"
    elif token.startswith(API_KEY_PREFIX):
        record = credentials.verify_key(token)
        key_id, via = record["key_id"], "api_key"
    else:
        raise Unauthenticated("bearer token is neither an API key (wl_…) nor a session token")
    user = items.get(*keys.user(record["user_id"]))
    if user is None:
        raise Unauthenticated("the user of this token no longer exists")
    return Caller(
        user_id=user["id"],
        username=user["username"],
        is_admin=bool(user.get("is_admin")),
        key_id=key_id,
        via=via,
        entity_permissions=_entity_permissions(items, user["id"]),
    )


bearer_credentials = HTTPBearer(auto_error=False, description="An API key (wl_…) or a session token (wls_…).")


async def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_credentials)]
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <API key>'")
    state = state_of(request)
    caller = await run_in_threadpool(
        resolve_caller,
        state.storage.items,
        credentials.credentials,
        session_ttl_s=state.settings.session_ttl_s,
    )
    # The audit middleware reads the actor from here.
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(authenticated)]
