"""Users: creation with a claimed unique username, argon2 password hashes, lookups."""

from __future__ import annotations

import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core.errors import ConditionFailed, Conflict, NotFound
from ..core.values import now_iso
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .models import User

__all__ = ["UserService", "user_from_item"]

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): strong against offline
# guessing, yet cheap enough that a burst of logins cannot starve a 2-core server or a small Lambda.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the username does not exist, so a login's timing does not reveal that.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def user_from_item(item: Item) -> User:
    return User(
        id=item["id"],
        username=item["username"],
        email=item.get("email"),
        is_admin=bool(item.get("is_admin")),
        created_at=item["created_at"],
    )


class UserService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items

    def create(
        self, username: str, *, password: str | None, email: str | None = None, is_admin: bool = False
    ) -> User:
        """Create a user; Conflict when the name is taken by any user, organization or team."""
        user, ops = self.create_ops(username, password=password, email=email, is_admin=is_admin)
        try:
            self._items.transact_write(ops)
        except ConditionFailed:
            raise Conflict(f"the name {username!r} is already taken", field="username") from None
        return user

    def name_taken(self, username: str) -> bool:
        return self._items.get(*keys.entity_claim(username)) is not None

    @staticmethod
    def create_ops(
        username: str, *, password: str | None, email: str | None = None, is_admin: bool = False
    ) -> tuple[User, list[TransactOp]]:
        """The writes that create a user, for a caller that adds its own to the same transaction
        (sign-up with an invitation consumes the invitation in it). Conditions fail on a taken name."""
        user_id = secrets.token_hex(8)
        pk, sk = keys.user(user_id)
        claim_pk, claim_sk = keys.entity_claim(username)
        now = now_iso()
        item: dict[str, Any] = {
            "pk": pk,
            "sk": sk,
            "id": user_id,
            "username": username,
            "email": email,
            "is_admin": is_admin,
            # None means password login is off for this user (API-key login still works).
            "password_hash": _HASHER.hash(password) if password is not None else None,
            "created_at": now,
            "gsi1pk": keys.USERS_INDEX_PK,
            "gsi1sk": username,
        }
        claim = {"pk": claim_pk, "sk": claim_sk, "kind": "user", "id": user_id, "name": username}
        ops = [
            TransactOp("put", claim, Condition.not_exists()),
            TransactOp("put", item, Condition.not_exists()),
        ]
        return user_from_item(item), ops

    def get(self, user_id: str) -> Item | None:
        return self._items.get(*keys.user(user_id))

    def get_by_name(self, username: str) -> Item | None:
        claim = self._items.get(*keys.entity_claim(username))
        if claim is None or claim.get("kind") != "user":
            return None
        return self.get(claim["id"])

    def require_by_name(self, username: str) -> Item:
        item = self.get_by_name(username)
        if item is None:
            raise NotFound(f"no user named {username!r}", field="username")
        return item

    def check_password(self, username: str, password: str) -> Item | None:
        """The user when `password` is theirs, else None; spends the same argon2 time either way."""
        item = self.get_by_name(username)
        stored = item.get("password_hash") if item else None
        try:
            _HASHER.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return item if stored else None

    def set_password(self, user_id: str, password: str) -> None:
        pk, sk = keys.user(user_id)
        self._items.update(
            pk, sk, set_attrs={"password_hash": _HASHER.hash(password)}, condition=Condition.exists()
        )
