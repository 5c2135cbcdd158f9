"""Who may create an account through `POST /api/auth/register`.

Closed by default: a new user needs an invitation (`POST /api/invitations`, `wanllmdb admin
invite`). The operator may open self-service sign-up with `WANLLMDB_OPEN_SIGNUP=true`; a server
that does so on an address other than loopback lets anyone who reaches it in, so start-up warns.
"""

from __future__ import annotations

from ..core.errors import ConditionFailed, Conflict, Forbidden, InvalidInput
from ..core.settings import Settings
from ..ports import ItemStore
from .cookies import is_loopback
from .invitations import InvitationService
from .models import Register, User
from .users import UserService

__all__ = ["SIGNUP_CLOSED", "SignupService", "signup_warning"]

SIGNUP_CLOSED = (
    "sign-up is closed on this server: ask an admin for an invitation and register with it "
    '("invitation": "wli_…"), or the operator sets WANLLMDB_OPEN_SIGNUP=true'
)
_ATTEMPTS = 3
_ANY_ADDRESS = {"0.0.0.0", "::", ""}  # noqa: S104 - recognised here, never bound


def signup_warning(settings: Settings) -> str | None:
    """The warning to log at start-up when anyone on the network may create an account."""
    if not settings.open_signup or is_loopback(settings.host):
        return None
    where = "every interface" if settings.host in _ANY_ADDRESS else settings.host
    return (
        f"open sign-up is on (WANLLMDB_OPEN_SIGNUP=true) and the server listens on {where}: anyone "
        "who can reach it can create an account. Unset WANLLMDB_OPEN_SIGNUP and invite users "
        "(`wanllmdb admin invite`) unless every client on this network is trusted."
    )


class SignupService:
    def __init__(self, items: ItemStore, *, open_signup: bool) -> None:
        self._items = items
        self._open = open_signup
        self._users = UserService(items)
        self._invitations = InvitationService(items)

    def register(self, body: Register) -> User:
        """Create the account `body` asks for, if the server is open or its invitation is valid.

        An invitation that is presented must be valid even on an open server: the caller asked
        for what it grants (a membership), and silently dropping it would hide the mistake.
        """
        if body.invitation is None:
            if not self._open:
                raise Forbidden(SIGNUP_CLOSED, field="invitation")
            return self._users.create(body.username, password=body.password, email=body.email)
        invitation = self._invitations.open_invitation(body.invitation)
        if invitation.email and body.email and body.email.casefold() != invitation.email.casefold():
            raise InvalidInput("this invitation is for another email address", field="email")
        email = body.email or invitation.email
        user, user_ops = self._users.create_ops(body.username, password=body.password, email=email)
        for _ in range(_ATTEMPTS):
            try:
                self._items.transact_write([*user_ops, *invitation.consume_ops(user)])
            except ConditionFailed:
                if self._users.name_taken(body.username):
                    raise Conflict(f"the name {body.username!r} is already taken", field="username") from None
                # Another sign-up used the invitation, or a rival transaction touched the same items
                # (DynamoDB may cancel both sides of such a conflict): a fresh look tells which.
                invitation = self._invitations.open_invitation(body.invitation)  # Forbidden once used
                continue
            return user
        raise Conflict("sign-up collided with concurrent writes: try again", field="invitation")
