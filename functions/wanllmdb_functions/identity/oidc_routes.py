"""OIDC sign-in routes: which sign-ins this server offers, then the two legs of the code flow.

`GET /auth/oidc/start` redirects the browser to the issuer; the issuer redirects it back to
`GET /auth/oidc/callback`, which sets the same cookies as a cookie-mode password login and redirects
to the page the sign-in began from. Both are browser navigations, hence GET and redirects; a failed
callback answers with the error tree's JSON (4xx naming the check that failed).
"""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from ..app.deps import SettingsDep
from ..app.routing import ServiceRouter
from ..core.caller import Caller
from .cookies import OIDC_COOKIE, clear_oidc_cookie, set_oidc_cookie, set_session_cookies
from .deps import OidcLoginDep, UsersDep

__all__ = ["AuthProviders", "OidcProvider", "router"]

router = ServiceRouter(tags=["auth"])

START_PATH = "/api/auth/oidc/start"


class OidcProvider(BaseModel):
    name: str = Field(description="What the sign-in button says, e.g. 'Sign in with SSO'.")
    start_url: str = Field(description="Navigate the browser here (optionally with ?return_to=/path).")


class AuthProviders(BaseModel):
    password: bool = True
    oidc: OidcProvider | None = Field(default=None, description="Present when OIDC sign-in is configured.")


@router.get("/auth/providers")
async def providers(settings: SettingsDep) -> AuthProviders:
    """The sign-ins this server offers; public, so the login page can draw its buttons."""
    if settings.oidc_issuer is None:
        return AuthProviders()
    return AuthProviders(oidc=OidcProvider(name=settings.oidc_display_name, start_url=START_PATH))


@router.get(
    "/auth/oidc/start",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    responses={302: {"description": "To the issuer's authorization endpoint"}},
)
def oidc_start(request: Request, logins: OidcLoginDep, return_to: str | None = None) -> RedirectResponse:
    """Begin an OIDC sign-in: redirect to the issuer with state, nonce and a PKCE challenge."""
    started = logins.start(return_to)
    response = RedirectResponse(started.authorize_url, status_code=status.HTTP_302_FOUND)
    response.headers["Cache-Control"] = "no-store"
    set_oidc_cookie(request, response, started.binding, started.max_age_s)
    return response


@router.get(
    "/auth/oidc/callback",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={303: {"description": "Signed in: session cookies set, back to the page it began from"}},
)
def oidc_callback(
    request: Request,
    logins: OidcLoginDep,
    users: UsersDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> RedirectResponse:
    """Finish an OIDC sign-in: check state, redeem the code with its verifier, verify the ID token."""
    finished = logins.finish(
        binding=request.cookies.get(OIDC_COOKIE),
        state=state,
        code=code,
        error=error,
        error_description=error_description,
    )
    # The audit log records this sign-in (audit/middleware.py audits this GET): say who it was.
    user = users.get(finished.session.user_id) or {}
    request.state.caller = Caller(
        finished.session.user_id, str(user.get("username")), bool(user.get("is_admin")), None, "session"
    )
    response = RedirectResponse(finished.return_to, status_code=status.HTTP_303_SEE_OTHER)
    response.headers["Cache-Control"] = "no-store"
    clear_oidc_cookie(request, response)
    set_session_cookies(request, response, finished.session)
    return response
