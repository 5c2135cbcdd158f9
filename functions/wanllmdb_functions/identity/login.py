"""Login: a username with a password (or the user's own API key), throttled per name and address."""

from __future__ import annotations

from ..core.errors import Unauthenticated
from .credentials import API_KEY_PREFIX, CredentialService, IssuedSession
from .models import Login
from .throttle import LoginThrottle
from .users import UserService

__all__ = ["LoginService"]


class LoginService:
    def __init__(self, users: UserService, credentials: CredentialService, throttle: LoginThrottle) -> None:
        self._users = users
        self._credentials = credentials
        self._throttle = throttle

    def login(self, body: Login, address: str) -> IssuedSession:
        """A new session for the user, or Unauthenticated (a failure counts towards the throttle)."""
        user_id = self._check(body, address)
        return self._credentials.issue_session(user_id, with_csrf=body.session == "cookie")

    def _check(self, body: Login, address: str) -> str:
        self._throttle.check(body.username, address)
        if body.password.startswith(API_KEY_PREFIX):
            # An API key works as a password for its own user: the local admin signs in to the web
            # this way without a password ever being set. Keys are 256-bit secrets, stronger than
            # passwords.
            try:
                key = self._credentials.verify_key(body.password)
            except Unauthenticated:
                key = None
            user = self._users.get_by_name(body.username)
            if key is not None and user is not None and key["user_id"] == user["id"]:
                return str(user["id"])
        # A real password may start with "wl_" too, so the password check always runs.
        found = self._users.check_password(body.username, body.password)
        if found is not None:
            return str(found["id"])
        self._throttle.record_failure(body.username, address)
        raise Unauthenticated("wrong username or password", field="password")
