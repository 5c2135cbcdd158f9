"""Who is calling: `Authorization: Bearer <API key | session token>`, or the web's `wl_session`
cookie, resolved to a `Caller`.

A Bearer header wins over the cookie. A request authenticated by the cookie alone that may change
something (any method but GET, HEAD and OPTIONS) must also carry `X-CSRF-Token` matching its
session, else 403: a browser attaches the cookie to a forged request, but the forger cannot read
the CSRF token. Bearer requests need no CSRF token: no browser adds that header by itself.

Routes take `caller: CallerDep`; a request without a valid token never reaches them (401).
What the caller may do is decided only by `core.policy.authorize`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..app.deps import state_of
from ..app.offload import store_call
from ..core.caller import ANONYMOUS, Caller
from ..core.errors import Forbidden, Unauthenticated
from ..core.policy import Permission
from ..ports import ItemStore
from . import keys
from .cookies import SESSION_COOKIE
from .credentials import API_KEY_PREFIX, CSRF_HEADER, SESSION_PREFIX, CredentialService
from .roles import RoleService

__all__ = [
    "READ_ONLY_POSTS",
    "REPORT_LINK_HEADER",
    "BearerDep",
    "CallerDep",
    "CookieAuth",
    "ReaderDep",
    "authenticated",
    "bearer_credentials",
    "changes_state",
    "entity_permissions_of",
    "presented_token",
    "reader",
    "resolve_caller",
]

# The header the dashboard sends a report's share link token in, on a shared report's page.
REPORT_LINK_HEADER = "X-Report-Link"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# POST routes whose body is a query, not a change (router-relative templates): a read-scoped key may
# call them. tests/functions/identity/test_read_scoped_keys.py checks each is mounted as a POST.
READ_ONLY_POSTS = frozenset(
    {
        "/projects/{project_id}/metrics/query",
        "/projects/{project_id}/metrics/batch",
        "/projects/{project_id}/keys",
        "/projects/{project_id}/tables/join",
        "/projects/{project_id}/export",
        "/sql",
    }
)


def changes_state(request: Request) -> bool:
    """Whether the request may change something, which a read-scoped key may not do."""
    if request.method in SAFE_METHODS:
        return False
    path = str(getattr(request.scope.get("route"), "path", "")).removeprefix("/api")
    return not (request.method == "POST" and path in READ_ONLY_POSTS)


def entity_permissions_of(items: ItemStore, user_id: str) -> dict[str, frozenset[Permission]]:
    """Organization/team name → what the user's role there gives: resolved once per request, and for
    the users a notification must reach only if they hold a permission (registry reviewers)."""
    memberships = [
        (m["entity"], m["role"])
        for m in items.query_all(keys.memberships_of(user_id), index="gsi1", page_size=200)
    ]
    if not memberships:
        return {}
    perms = RoleService(items).permissions(role for _, role in memberships)
    return {entity: perms.get(role, frozenset()) for entity, role in memberships}


@dataclass(frozen=True)
class CookieAuth:
    """The token came from the `wl_session` cookie: `csrf` is the X-CSRF-Token header, checked
    when the request is `unsafe`."""

    csrf: str | None
    unsafe: bool


def resolve_caller(
    items: ItemStore,
    token: str,
    *,
    session_ttl_s: int,
    cookie: CookieAuth | None = None,
    unsafe: bool = False,
) -> Caller:
    """The caller behind a token: an API key (`wl_…`) or a session token (`wls_…`).

    `unsafe`: the request may change something, which a read-scoped key may not do.
    """
    credentials = CredentialService(items, session_ttl_s=session_ttl_s)
    via: Literal["api_key", "session"]
    if cookie is not None and not token.startswith(SESSION_PREFIX):
        raise Unauthenticated(f"the {SESSION_COOKIE} cookie holds no session token: log in again")
    if token.startswith(SESSION_PREFIX):
        record, key_id, via = credentials.verify_session(token), None, "session"
        if cookie is not None and cookie.unsafe:
            credentials.check_csrf(record, cookie.csrf)
    elif token.startswith(API_KEY_PREFIX):
        record = credentials.verify_key(token)
        key_id, via = record["key_id"], "api_key"
        if unsafe and record.get("scope") == "read":
            raise Forbidden(f"API key {key_id} is read-only: it may only read", field="scope")
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
        entity_permissions=entity_permissions_of(items, user["id"]),
    )


bearer_credentials = HTTPBearer(auto_error=False, description="An API key (wl_…) or a session token (wls_…).")


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_credentials)]


def presented_token(request: Request, bearer: HTTPAuthorizationCredentials | None) -> tuple[str, bool]:
    """The token this request authenticates with, and whether it came from the session cookie."""
    if bearer is not None and bearer.scheme.lower() == "bearer" and bearer.credentials:
        return bearer.credentials, False
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, True
    raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <API key>'")


async def authenticated(request: Request, credentials: BearerDep) -> Caller:
    token, from_cookie = presented_token(request, credentials)
    # CSRF guards every unsafe method, read-only POSTs included: a forged query still costs the victim.
    unsafe = request.method not in SAFE_METHODS
    cookie = CookieAuth(request.headers.get(CSRF_HEADER), unsafe) if from_cookie else None
    state = state_of(request)
    items = state.storage.items
    caller = await store_call(
        items,
        resolve_caller,
        items,
        token,
        session_ttl_s=state.settings.session_ttl_s,
        cookie=cookie,
        unsafe=changes_state(request),
    )
    # The audit middleware reads the actor from here.
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(authenticated)]


async def reader(request: Request, credentials: BearerDep) -> Caller:
    """The caller, or ANONYMOUS when the request carries no token at all: for the routes that only
    read a project, so that public projects are readable without a key. A token that is presented
    is checked as everywhere; an anonymous caller holds only what public projects give anyone, and
    no other route accepts one.

    A report's share link sent as `X-Report-Link` adds, on these read routes only, the runs of the
    link's report's project to what the caller may read: a view link draws its panels for anyone.
    A dead link is refused rather than ignored, so the viewer hears that the link is gone."""
    has_bearer = credentials is not None and bool(credentials.credentials)
    if not has_bearer and SESSION_COOKIE not in request.cookies:
        caller = ANONYMOUS
    else:
        caller = await authenticated(request, credentials)
    link = request.headers.get(REPORT_LINK_HEADER)
    resolve = state_of(request).link_projects
    if link and resolve is not None:
        items = state_of(request).storage.items
        projects = await store_call(items, resolve, items, link)
        caller = replace(caller, link_projects=caller.link_projects | projects)
    request.state.caller = caller
    return caller


ReaderDep = Annotated[Caller, Depends(reader)]
