"""Sign-up, login, token refresh, logout and `me`: the session lifecycle.

Register, login and refresh answer in the mode the body asks for: `token` (the default, for API
clients and scripts) returns the session and refresh tokens in the body; `cookie` (the web app)
sets them as HttpOnly cookies and returns neither, so no script in the page can read a token.
"""

from __future__ import annotations

from fastapi import Request, Response, status
from starlette.concurrency import run_in_threadpool

from ..app.routing import ServiceRouter
from ..core.caller import Caller
from ..core.errors import InvalidInput, Unauthenticated
from .authn import BearerDep, CallerDep, presented_token
from .cookies import REFRESH_COOKIE, clear_session_cookies, set_session_cookies
from .credentials import IssuedSession
from .deps import CredentialsDep, LoginDep, SignupDep, UsersDep
from .models import Login, Me, Refresh, Register, Session, SessionMode
from .throttle import client_address
from .users import UserService, user_from_item

router = ServiceRouter(tags=["auth"])


def _answer(
    request: Request, response: Response, users: UserService, issued: IssuedSession, mode: SessionMode
) -> Session:
    item = users.get(issued.user_id)
    if item is None:
        raise Unauthenticated("this account no longer exists")
    cookie = mode == "cookie"
    if cookie:
        set_session_cookies(request, response, issued)
    session = Session(
        user=user_from_item(item),
        token=None if cookie else issued.token,
        refresh_token=None if cookie else issued.refresh_token,
        expires_at=issued.expires_at,
    )
    # Login and sign-up carry no credentials yet; tell the audit log who acted.
    request.state.caller = Caller(
        session.user.id, session.user.username, session.user.is_admin, None, "session"
    )
    return session


@router.post("/auth/register", status_code=status.HTTP_201_CREATED)
def register(
    body: Register,
    request: Request,
    response: Response,
    signup: SignupDep,
    users: UsersDep,
    credentials: CredentialsDep,
) -> Session:
    user = signup.register(body)
    issued = credentials.issue_session(user.id, with_csrf=body.session == "cookie")
    return _answer(request, response, users, issued, body.session)


@router.post("/auth/login")
async def login(
    body: Login, request: Request, response: Response, users: UsersDep, logins: LoginDep
) -> Session:
    # Under API Gateway, Mangum fills request.client from requestContext.http.sourceIp.
    address = client_address(request.client.host if request.client else None)
    # argon2 is CPU-bound: keep it off the event loop.
    issued = await run_in_threadpool(logins.login, body, address)
    return await run_in_threadpool(_answer, request, response, users, issued, body.session)


def _refresh_token(body: Refresh, request: Request) -> str:
    if body.session == "token":
        if body.refresh_token is None:
            raise InvalidInput(
                "refresh_token is required (or session 'cookie' to use the wl_refresh cookie)",
                field="refresh_token",
            )
        return body.refresh_token
    if body.refresh_token is not None:
        raise InvalidInput(
            "with session 'cookie' the refresh token comes from the wl_refresh cookie: leave it out",
            field="refresh_token",
        )
    cookie = request.cookies.get(REFRESH_COOKIE)
    if not cookie:
        raise Unauthenticated(f"no {REFRESH_COOKIE} cookie: log in again", field="refresh_token")
    return cookie


@router.post("/auth/refresh")
def refresh(
    body: Refresh, request: Request, response: Response, users: UsersDep, credentials: CredentialsDep
) -> Session:
    # A cookie refresh answers with cookies only: a token-mode answer to a cookie would hand the
    # HttpOnly refresh token's successor to whatever script asked.
    issued = credentials.refresh(_refresh_token(body, request), with_csrf=body.session == "cookie")
    return _answer(request, response, users, issued, body.session)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    caller: CallerDep, request: Request, response: Response, credentials: CredentialsDep, bearer: BearerDep
) -> None:
    """End the session's whole sign-in (every refresh of it) and clear the web's cookies."""
    clear_session_cookies(request, response)
    # Logging out with an API key ends nothing: keys are revoked through DELETE /api/keys/{id}.
    if caller.via == "session":
        credentials.end_session(presented_token(request, bearer)[0])


@router.get("/auth/me")
def me(caller: CallerDep, users: UsersDep) -> Me:
    item = users.get(caller.user_id)
    email = item.get("email") if item else None
    return Me(id=caller.user_id, username=caller.username, email=email, is_admin=caller.is_admin)
