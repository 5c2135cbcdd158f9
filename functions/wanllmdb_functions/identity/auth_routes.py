"""Sign-up, login, token refresh, logout and `me`: the web's session lifecycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from ..core.auth import Caller, CallerDep, bearer_credentials
from ..core.deps import SettingsDep, StorageDep
from ..core.errors import Forbidden, Unauthenticated
from .credentials import API_KEY_PREFIX, CredentialService, IssuedSession
from .deps import CredentialsDep, UsersDep
from .models import Login, Me, Refresh, Register, Session
from .throttle import LoginThrottle, client_address
from .users import UserService, user_from_item

router = APIRouter(tags=["auth"])


def _session(users: UserService, issued: IssuedSession) -> Session:
    item = users.get(issued.user_id)
    if item is None:
        raise Unauthenticated("this account no longer exists")
    return Session(
        user=user_from_item(item),
        token=issued.token,
        refresh_token=issued.refresh_token,
        expires_at=issued.expires_at,
    )


def _note_actor(request: Request, session: Session) -> None:
    # Login and sign-up carry no bearer token; tell the audit log who acted.
    request.state.caller = Caller(
        session.user.id, session.user.username, session.user.is_admin, None, "session"
    )


@router.post("/auth/register", status_code=status.HTTP_201_CREATED)
def register(
    body: Register, request: Request, settings: SettingsDep, users: UsersDep, credentials: CredentialsDep
) -> Session:
    if not settings.registration_open:
        raise Forbidden("registration is disabled on this server: ask an admin for an account")
    user = users.create(body.username, password=body.password, email=body.email)
    session = _session(users, credentials.issue_session(user.id))
    _note_actor(request, session)
    return session


def _check_login(
    users: UserService, credentials: CredentialService, throttle: LoginThrottle, body: Login, address: str
) -> str:
    throttle.check(body.username, address)
    if body.password.startswith(API_KEY_PREFIX):
        # An API key works as a password for its own user: the local admin signs in to the web this
        # way without a password ever being set. Keys are 256-bit secrets, stronger than passwords.
        try:
            key = credentials.verify_key(body.password)
        except Unauthenticated:
            key = None
        user = users.get_by_name(body.username)
        if key is not None and user is not None and key["user_id"] == user["id"]:
            return str(user["id"])
    # A real password may start with "wl_" too, so the password check always runs.
    found = users.check_password(body.username, body.password)
    if found is not None:
        return str(found["id"])
    throttle.record_failure(body.username, address)
    raise Unauthenticated("wrong username or password", field="password")


@router.post("/auth/login")
async def login(
    body: Login, request: Request, users: UsersDep, credentials: CredentialsDep, storage: StorageDep
) -> Session:
    # Under API Gateway, Mangum fills request.client from requestContext.http.sourceIp.
    address = client_address(request.client.host if request.client else None)
    throttle = LoginThrottle(storage.items)
    # argon2 is CPU-bound: keep it off the event loop.
    user_id = await run_in_threadpool(_check_login, users, credentials, throttle, body, address)
    session = await run_in_threadpool(lambda: _session(users, credentials.issue_session(user_id)))
    _note_actor(request, session)
    return session


@router.post("/auth/refresh")
def refresh(body: Refresh, request: Request, users: UsersDep, credentials: CredentialsDep) -> Session:
    session = _session(users, credentials.refresh(body.refresh_token))
    _note_actor(request, session)
    return session


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    caller: CallerDep,
    credentials: CredentialsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_credentials)],
) -> None:
    # Logging out with an API key ends nothing: keys are revoked through DELETE /api/keys/{id}.
    if caller.via == "session" and bearer is not None:
        credentials.end_session(bearer.credentials)


@router.get("/auth/me")
def me(caller: CallerDep, users: UsersDep) -> Me:
    item = users.get(caller.user_id)
    email = item.get("email") if item else None
    return Me(id=caller.user_id, username=caller.username, email=email, is_admin=caller.is_admin)
