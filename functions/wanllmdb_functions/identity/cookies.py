"""The web's session cookies: what is set at sign-in and refresh, and cleared at logout.

- `wl_session` (HttpOnly, SameSite=Strict, Path=/): the session token. No script can read it, so
  a cross-site-scripting bug cannot carry the session away.
- `wl_refresh` (HttpOnly, SameSite=Strict, Path=/api/auth): the refresh token, sent only to the
  auth routes.
- `wl_csrf` (readable by scripts, SameSite=Strict, Path=/): the CSRF token. The page echoes it in
  `X-CSRF-Token` on unsafe requests; a forged cross-site request cannot read it.

- `wl_oidc` (HttpOnly, SameSite=Lax, Path=/api/auth/oidc, ten minutes): binds an OIDC sign-in in
  progress to the browser that began it. Lax, not Strict: the issuer sends the browser back with a
  cross-site navigation, which a Strict cookie would not accompany.

Cookies are `Secure` when the request came over https, or to a loopback host: browsers treat
http://127.0.0.1 and http://localhost as secure contexts and keep Secure cookies there, so the
local server gets them too. On any other plain-http host they could not be stored at all.
"""

from __future__ import annotations

import ipaddress

from fastapi import Request, Response

from ..core.values import now_epoch
from .credentials import IssuedSession

__all__ = [
    "CSRF_COOKIE",
    "OIDC_COOKIE",
    "OIDC_COOKIE_PATH",
    "REFRESH_COOKIE",
    "REFRESH_COOKIE_PATH",
    "SESSION_COOKIE",
    "clear_oidc_cookie",
    "clear_session_cookies",
    "is_loopback",
    "set_oidc_cookie",
    "set_session_cookies",
]

SESSION_COOKIE = "wl_session"
REFRESH_COOKIE = "wl_refresh"
CSRF_COOKIE = "wl_csrf"
REFRESH_COOKIE_PATH = "/api/auth"
OIDC_COOKIE = "wl_oidc"
OIDC_COOKIE_PATH = "/api/auth/oidc"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or is_loopback(request.url.hostname)


def set_session_cookies(request: Request, response: Response, issued: IssuedSession) -> None:
    assert issued.csrf_token is not None, "cookie mode needs a session issued with_csrf"
    secure = _secure(request)
    now = now_epoch()
    session_s = max(int(issued.expires_at.timestamp() - now), 1)
    refresh_s = max(issued.refresh_ttl - int(now), 1)
    response.set_cookie(
        SESSION_COOKIE, issued.token, max_age=session_s, path="/", httponly=True, secure=secure,
        samesite="strict",
    )  # fmt: skip
    response.set_cookie(
        REFRESH_COOKIE, issued.refresh_token, max_age=refresh_s, path=REFRESH_COOKIE_PATH, httponly=True,
        secure=secure, samesite="strict",
    )  # fmt: skip
    # Scripts must read this one to echo it; it is worth nothing without the HttpOnly session.
    response.set_cookie(
        CSRF_COOKIE, issued.csrf_token, max_age=session_s, path="/", httponly=False, secure=secure,
        samesite="strict",
    )  # fmt: skip


def clear_session_cookies(request: Request, response: Response) -> None:
    secure = _secure(request)
    for name, path, httponly in (
        (SESSION_COOKIE, "/", True),
        (REFRESH_COOKIE, REFRESH_COOKIE_PATH, True),
        (CSRF_COOKIE, "/", False),
    ):
        response.delete_cookie(name, path=path, secure=secure, httponly=httponly, samesite="strict")


def set_oidc_cookie(request: Request, response: Response, binding: str, max_age_s: int) -> None:
    response.set_cookie(
        OIDC_COOKIE, binding, max_age=max_age_s, path=OIDC_COOKIE_PATH, httponly=True,
        secure=_secure(request), samesite="lax",
    )  # fmt: skip


def clear_oidc_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        OIDC_COOKIE, path=OIDC_COOKIE_PATH, secure=_secure(request), httponly=True, samesite="lax"
    )
