"""Which user an OIDC sign-in is: an issuer's subject, linked to one user on first sign-in.

The link is keyed by (issuer, `sub`), the only pair OIDC promises is stable and unique, never by
e-mail or name: an account at the issuer whose name or address matches a local user must not take
that user over. A first sign-in provisions a new user without a password, named from the configured
claim (`preferred_username` by default, else the e-mail's local part); a taken name gets a short
suffix. The user and the link are written in one transaction, so two racing first sign-ins of one
subject yield one user.

`allowed_email_domains`, when set, is checked on every sign-in, not only the first: narrowing it
locks out the accounts it no longer covers.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from ..core.errors import ConditionFailed, Conflict, Forbidden, Unauthenticated
from ..core.values import now_iso
from ..ports import Condition, ItemStore, TransactOp
from . import keys
from .users import UserService

__all__ = ["OidcAccounts", "username_from"]

_NAME_CHARS = frozenset(string.ascii_lowercase + string.digits + "_.-")
_NAME_MAX = 64
_ATTEMPTS = 5


def username_from(claims: dict[str, Any], claim: str) -> str:
    """A valid entity name made from the claim (or the e-mail's local part)."""
    raw = claims.get(claim)
    if not isinstance(raw, str) or not raw.strip():
        email = claims.get("email")
        raw = email.partition("@")[0] if isinstance(email, str) else ""
    name = "".join(c if c in _NAME_CHARS else "-" for c in raw.strip().lower())
    return name.strip("-._")[:_NAME_MAX].rstrip("-._") or "user"


def _verified_email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    # Some issuers (Cognito among them, in older tokens) send the flag as a string.
    if claims.get("email_verified") in (False, "false"):
        return None
    return email


class OidcAccounts:
    def __init__(self, items: ItemStore, users: UserService) -> None:
        self._items = items
        self._users = users

    def user_for(
        self,
        issuer: str,
        claims: dict[str, Any],
        *,
        allowed_email_domains: tuple[str, ...] = (),
        username_claim: str = "preferred_username",
    ) -> str:
        """The id of the user this sign-in is, provisioned on first sign-in; Forbidden when the
        account's e-mail domain is not allowed."""
        email = _verified_email(claims)
        if allowed_email_domains:
            domain = email.rpartition("@")[2].lower() if email else None
            if domain is None:
                raise Forbidden(
                    "this server admits only accounts with a verified e-mail address in "
                    f"{', '.join(allowed_email_domains)}; the issuer sent none",
                    field="email",
                )
            if domain not in allowed_email_domains:
                allowed = ", ".join(allowed_email_domains)
                raise Forbidden(
                    f"e-mail domain {domain!r} may not sign in here; allowed: {allowed}", field="email"
                )
        subject = str(claims["sub"])
        linked = self._linked_user(issuer, subject)
        if linked is not None:
            return linked
        return self._provision(issuer, subject, username_from(claims, username_claim), email)

    def _linked_user(self, issuer: str, subject: str) -> str | None:
        link = self._items.get(*keys.oidc_subject(issuer, subject))
        if link is None:
            return None
        if self._users.get(link["user_id"]) is None:
            raise Unauthenticated("the user this sign-in belongs to has been deleted", field="sub")
        return str(link["user_id"])

    def _provision(self, issuer: str, subject: str, base: str, email: str | None) -> str:
        pk, sk = keys.oidc_subject(issuer, subject)
        for attempt in range(_ATTEMPTS):
            name = base if attempt == 0 else f"{base[: _NAME_MAX - 5]}-{secrets.token_hex(2)}"
            user, ops = UserService.create_ops(name, password=None, email=email)
            link = {"pk": pk, "sk": sk, "user_id": user.id, "issuer": issuer, "subject": subject,
                    "created_at": now_iso()}  # fmt: skip
            try:
                self._items.transact_write([*ops, TransactOp("put", link, Condition.not_exists())])
                return user.id
            except ConditionFailed:
                # Either a parallel first sign-in of this subject won (use its user), or the name
                # is taken (try another).
                linked = self._linked_user(issuer, subject)
                if linked is not None:
                    return linked
        raise Conflict(f"could not find a free user name starting with {base!r}", field="username")
