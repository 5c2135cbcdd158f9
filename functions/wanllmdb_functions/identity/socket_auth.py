"""Who holds a websocket: the caller its handshake proves, and that caller again at each later message.

A socket authenticates as REST does (`authn.resolve_caller`): `Authorization: Bearer` (an API key or a
session token), or the `wl_session` cookie. A browser sends the cookie on a websocket handshake but can
send no CSRF header, so a socket on the cookie must come from one of the dashboard's own pages (its
`Origin`): a page elsewhere cannot ride the cookie. No token is read from the URL, whose query string
reaches access logs.

On API Gateway every message of a socket is a Lambda invocation of its own, without the token. A
`SocketGrant` keeps what the handshake proved (the user, and which session or key) but never the token,
and `resume_caller` checks that the session or key still stands and reads the user's memberships again:
a sign-out, a revoked key or a lost membership applies to an open socket at its next message.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..core.caller import Caller
from ..core.errors import Unauthenticated
from ..ports import ItemStore
from . import keys
from .authn import CookieAuth, entity_permissions_of, resolve_caller
from .cookies import SESSION_COOKIE
from .credentials import token_hash

__all__ = ["SocketGrant", "authenticate_socket", "resume_caller", "socket_token"]


def socket_token(
    headers: Mapping[str, str], cookies: Mapping[str, str], *, own_hosts: Collection[str]
) -> tuple[str, CookieAuth | None]:
    """The token a handshake presents, and how (None: a bearer header; else the cookie).

    `headers` are keyed in lower case; `own_hosts` are the host[:port]s the dashboard is served from.
    """
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token, None
    cookie = cookies.get(SESSION_COOKIE)
    if cookie:
        origin = headers.get("origin")
        if origin is None or urlsplit(origin).netloc not in own_hosts:
            raise Unauthenticated("a websocket on the session cookie must come from this site")
        # A handshake is a GET: nothing for a CSRF token to guard until a message asks to write.
        return cookie, CookieAuth(csrf=None, unsafe=False)
    raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <API key>'")


@dataclass(frozen=True)
class SocketGrant:
    """What a socket's handshake proved, kept with the connection in place of its token."""

    user_id: str
    via: Literal["api_key", "session"]
    key_id: str | None
    # The item of the session or API key the socket signed in with: gone once it is revoked or expires.
    credential: tuple[str, str]
    # Whether the credential may change things at all (a read-only API key may not); what the user may
    # do to a report is still decided by the policy at each message.
    can_write: bool

    def as_item(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "via": self.via,
            "key_id": self.key_id,
            "credential": list(self.credential),
            "can_write": self.can_write,
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SocketGrant:
        pk, sk = item["credential"]
        via: Literal["api_key", "session"] = "api_key" if item["via"] == "api_key" else "session"
        return cls(item["user_id"], via, item.get("key_id"), (pk, sk), bool(item["can_write"]))


def authenticate_socket(
    items: ItemStore, token: str, cookie: CookieAuth | None, *, session_ttl_s: int
) -> tuple[Caller, SocketGrant]:
    """The caller of a handshake (Unauthenticated as on REST) and the grant to resume it with."""
    caller = resolve_caller(items, token, session_ttl_s=session_ttl_s, cookie=cookie)
    if caller.via == "api_key" and caller.key_id is not None:
        credential = keys.apikey(caller.key_id)
    else:
        credential = keys.session(token_hash(token))
    record = items.get(*credential) or {}
    via: Literal["api_key", "session"] = "api_key" if caller.via == "api_key" else "session"
    grant = SocketGrant(
        user_id=caller.user_id,
        via=via,
        key_id=caller.key_id,
        credential=credential,
        can_write=record.get("scope") != "read",
    )
    return caller, grant


def resume_caller(items: ItemStore, grant: SocketGrant) -> Caller:
    """The socket's caller now: Unauthenticated once its session or key is gone (adapters hide an
    expired item), with the user's memberships as they are now."""
    if items.get(*grant.credential) is None:
        raise Unauthenticated("the socket's session ended or its API key was revoked: connect again")
    user = items.get(*keys.user(grant.user_id))
    if user is None:
        raise Unauthenticated("the user of this socket no longer exists")
    return Caller(
        user_id=user["id"],
        username=user["username"],
        is_admin=bool(user.get("is_admin")),
        key_id=grant.key_id,
        via=grant.via,
        entity_permissions=entity_permissions_of(items, user["id"]),
    )
