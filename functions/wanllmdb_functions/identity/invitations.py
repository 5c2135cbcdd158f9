"""Invitations: how a new user gets an account while self-service sign-up is closed.

A tenant admin invites anyone; an organization admin invites into their organization, with a
role there. The invitation is a secret `wli_<id>_<secret>`, shown once, stored as the SHA-256 of
the secret (like an API key), and expires after `ttl_days` through the ItemStore TTL.

Registering with it consumes it in the same transaction that creates the user (and the
membership), conditioned on it still being open: of two sign-ups racing with one invitation,
exactly one succeeds.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Forbidden, InvalidInput, NotFound
from ..core.policy import EntityRef, Permission, authorize
from ..core.values import now_iso, now_utc
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .credentials import MAX_TOKEN_LENGTH, token_hash
from .models import Invitation, InvitationCreate, InvitationCreated, User
from .orgs import OrgService
from .roles import RoleService

__all__ = ["INVITATION_PREFIX", "InvitationService", "OpenInvitation", "invitation_refused"]

INVITATION_PREFIX = "wli_"
DEFAULT_ROLE = "member"
OPEN = "open"


def _invitation(item: Item) -> Invitation:
    return Invitation.model_validate(
        {k: item.get(k) for k in ("id", "email", "org", "role", "created_by", "created_at", "expires_at")}
    )


def invitation_refused() -> Forbidden:
    return Forbidden(
        "this invitation is unknown, expired, revoked or already used: ask an admin for a new one",
        field="invitation",
    )


@dataclass(frozen=True)
class OpenInvitation:
    """An invitation that was open when read; `consume_ops` turns it into writes of a sign-up."""

    item: Item

    @property
    def email(self) -> str | None:
        return self.item.get("email")

    def consume_ops(self, user: User) -> list[TransactOp]:
        # Marked used rather than deleted: it stays visible to a re-read until its TTL, so a lost
        # race can be told apart from a taken username. Leaving the indexes drops it from listings.
        used = {k: v for k, v in self.item.items() if k not in ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")}
        used |= {"status": "used", "used_by": user.id, "used_at": now_iso()}
        ops = [TransactOp("put", used, Condition.equals("status", OPEN))]
        org = self.item.get("org")
        if org:
            member = OrgService.membership_item("org", org, None, user.id, user.username, self.item["role"])
            pk, sk = keys.org(org)
            ops += [TransactOp("check", {"pk": pk, "sk": sk}, Condition.exists()), TransactOp("put", member)]
        return ops


class InvitationService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items

    def create(self, caller: Caller, body: InvitationCreate) -> InvitationCreated:
        """Invite as `caller`: into an organization they administer, or anywhere as a tenant admin."""
        self._authorize(caller, body.org)
        return self.issue(body, created_by=caller.username)

    def issue(self, body: InvitationCreate, *, created_by: str) -> InvitationCreated:
        """Write the invitation without asking who may: for the operator's `wanllmdb admin invite`."""
        role = body.role
        if body.org is None:
            if role is not None:
                raise InvalidInput("a role needs an organization: give org as well", field="role")
        else:
            self._require_org(body.org)
            role = role or DEFAULT_ROLE
            RoleService(self._items).require(role)
        invitation_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        now = now_utc()
        expires = now + timedelta(days=body.ttl_days)
        pk, sk = keys.invitation(invitation_id)
        order = f"{now_iso(now)}#{invitation_id}"
        item: dict[str, Any] = {
            "pk": pk, "sk": sk, "id": invitation_id, "secret_hash": token_hash(secret), "status": OPEN,
            "email": body.email, "org": body.org, "role": role, "created_by": created_by,
            "created_at": now_iso(now), "expires_at": now_iso(expires), "ttl": int(expires.timestamp()),
            "gsi1pk": keys.INVITES_INDEX_PK, "gsi1sk": order,
        }  # fmt: skip
        if body.org:
            item |= {"gsi2pk": keys.org_invitations(body.org), "gsi2sk": order}
        self._items.put(item, condition=Condition.not_exists())
        token = f"{INVITATION_PREFIX}{invitation_id}_{secret}"
        return InvitationCreated.model_validate({**_invitation(item).model_dump(), "token": token})

    def list_open(self, caller: Caller, org: str | None) -> list[Invitation]:
        """Open invitations into `org` (its admins), or all of them (tenant admins)."""
        self._authorize(caller, org)
        pk, index = (keys.org_invitations(org), "gsi2") if org else (keys.INVITES_INDEX_PK, "gsi1")
        return [_invitation(i) for i in self._items.query_all(pk, index=index) if i.get("status") == OPEN]

    def revoke(self, caller: Caller, invitation_id: str) -> None:
        item = self._items.get(*keys.invitation(invitation_id))
        if item is None or item.get("status") != OPEN:
            raise NotFound(f"no open invitation {invitation_id!r}", field="invitation_id")
        self._authorize(caller, item.get("org"))
        try:
            self._items.delete(*keys.invitation(invitation_id), condition=Condition.equals("status", OPEN))
        except ConditionFailed:  # used a moment ago
            raise NotFound(f"no open invitation {invitation_id!r}", field="invitation_id") from None

    def open_invitation(self, token: str) -> OpenInvitation:
        """The invitation a presented token names, if it is open; Forbidden for anything else."""
        invitation_id, _, secret = token.removeprefix(INVITATION_PREFIX).partition("_")
        if (
            not token.startswith(INVITATION_PREFIX)
            or len(token) > MAX_TOKEN_LENGTH
            or not invitation_id.isalnum()
            or not secret
        ):
            raise invitation_refused()
        item = self._items.get(*keys.invitation(invitation_id))
        if (
            item is None
            or not hmac.compare_digest(item["secret_hash"], token_hash(secret))
            or item.get("status") != OPEN
        ):
            raise invitation_refused()
        return OpenInvitation(item)

    def _authorize(self, caller: Caller, org: str | None) -> None:
        if org is None:
            authorize(caller, Permission.USER_ADMIN, None)
        else:
            self._require_org(org)
            authorize(caller, Permission.ORG_ADMIN, EntityRef(org, "org"))

    def _require_org(self, org: str) -> None:
        if self._items.get(*keys.org(org)) is None:
            raise NotFound(f"no organization named {org!r}", field="org")
