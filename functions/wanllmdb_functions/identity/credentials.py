"""API keys and web sessions: issued once, stored only as hashes, verified with one read each.

API keys look like `wl_<key id>_<secret>`. The key id locates the item with one GetItem; the
secret's SHA-256 is compared in constant time. A fast hash is right here (unlike for passwords):
the secret has 256 bits of entropy, so nobody can brute-force it from a leaked hash.

Sessions are opaque random tokens (`wls_…`), refresh tokens `wlr_…`. Both are stored under their
SHA-256 with the ItemStore's TTL. Opaque tokens rather than signed ones: logout and revocation take
effect at once, and no signing secret has to be shared between Lambdas or rotated.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..core.errors import ConditionFailed, NotFound, Unauthenticated
from ..core.values import now_iso
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .models import ApiKeyCreated, ApiKeyInfo

__all__ = [
    "API_KEY_PREFIX",
    "REFRESH_PREFIX",
    "SESSION_PREFIX",
    "CredentialService",
    "IssuedSession",
    "token_hash",
]

API_KEY_PREFIX = "wl_"
LAST_USED_RESOLUTION = timedelta(hours=1)
SESSION_PREFIX = "wls_"
REFRESH_PREFIX = "wlr_"
MAX_TOKEN_LENGTH = 256
# Refresh tokens outlive sessions so the web can stay signed in across a working week.
REFRESH_TTL_FACTOR = 14


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSession:
    user_id: str
    token: str
    refresh_token: str
    expires_at: datetime


def _key_info(item: Item) -> ApiKeyInfo:
    return ApiKeyInfo.model_validate(
        {
            "id": item["key_id"],
            "name": item["name"],
            "created_at": item["created_at"],
            "last_used_at": item.get("last_used_at"),
        }
    )


class CredentialService:
    def __init__(self, items: ItemStore, *, session_ttl_s: int) -> None:
        self._items = items
        self._session_ttl_s = session_ttl_s

    # -- API keys ------------------------------------------------------------------------------
    def create_key(self, user_id: str, name: str) -> ApiKeyCreated:
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        pk, sk = keys.apikey(key_id)
        now = datetime.now(UTC).isoformat()
        item = {
            "pk": pk,
            "sk": sk,
            "key_id": key_id,
            "user_id": user_id,
            "name": name,
            "secret_hash": token_hash(secret),
            "created_at": now,
            "gsi1pk": keys.user_keys(user_id),
            "gsi1sk": f"{now}#{key_id}",
        }
        self._items.put(item, condition=Condition.not_exists())
        key = f"{API_KEY_PREFIX}{key_id}_{secret}"
        return ApiKeyCreated.model_validate({"id": key_id, "name": name, "created_at": now, "key": key})

    def list_keys(self, user_id: str) -> list[ApiKeyInfo]:
        found: list[ApiKeyInfo] = []
        cursor: str | None = None
        while True:
            page = self._items.query(keys.user_keys(user_id), index="gsi1", cursor=cursor, limit=100)
            found += [_key_info(i) for i in page.items]
            if page.cursor is None:
                return found
            cursor = page.cursor

    def revoke_key(self, user_id: str, key_id: str) -> None:
        """Delete the caller's own key; someone else's key is reported as missing, not forbidden."""
        try:
            self._items.delete(*keys.apikey(key_id), condition=Condition.equals("user_id", user_id))
        except ConditionFailed:
            raise NotFound(f"no API key {key_id!r}", field="key_id") from None

    def verify_key(self, token: str) -> Item:
        """The key item for a presented `wl_…` key; Unauthenticated for anything else."""
        key_id, _, secret = token.removeprefix(API_KEY_PREFIX).partition("_")
        if not key_id or not secret or len(token) > MAX_TOKEN_LENGTH or not key_id.isalnum():
            raise Unauthenticated("malformed API key")
        item = self._items.get(*keys.apikey(key_id))
        if item is None or not hmac.compare_digest(item["secret_hash"], token_hash(secret)):
            raise Unauthenticated("invalid or revoked API key")
        self._note_use(item)
        return item

    def _note_use(self, item: Item, now: datetime | None = None) -> None:
        """Record when the key was last used, at most once per LAST_USED_RESOLUTION: one small write
        an hour per key instead of one per request."""
        now = now or datetime.now(UTC)
        last = item.get("last_used_at")
        if (
            last is not None
            and now - datetime.fromisoformat(last.replace("Z", "+00:00")) < LAST_USED_RESOLUTION
        ):
            return
        # A key revoked a moment ago has nothing to record.
        with contextlib.suppress(ConditionFailed):
            self._items.update(
                *keys.apikey(item["key_id"]),
                set_attrs={"last_used_at": now_iso(now)},
                condition=Condition.exists(),
            )

    # -- sessions ------------------------------------------------------------------------------
    def issue_session(self, user_id: str) -> IssuedSession:
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=self._session_ttl_s)
        refresh_expires = now + timedelta(seconds=self._session_ttl_s * REFRESH_TTL_FACTOR)
        s_pk, s_sk = keys.session(token_hash(token))
        r_pk, r_sk = keys.refresh_token(token_hash(refresh))
        session = {
            "pk": s_pk,
            "sk": s_sk,
            "user_id": user_id,
            "refresh_hash": token_hash(refresh),
            "ttl": int(expires.timestamp()),
        }
        refresh_item = {
            "pk": r_pk,
            "sk": r_sk,
            "user_id": user_id,
            "session_hash": token_hash(token),
            "ttl": int(refresh_expires.timestamp()),
        }
        self._items.transact_write(
            [
                TransactOp("put", session, Condition.not_exists()),
                TransactOp("put", refresh_item, Condition.not_exists()),
            ]
        )
        return IssuedSession(user_id, token, refresh, expires)

    def verify_session(self, token: str) -> Item:
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("malformed session token")
        item = self._items.get(*keys.session(token_hash(token)))
        if item is None:
            raise Unauthenticated("session expired or signed out: log in again")
        return item

    def refresh(self, refresh_token: str) -> IssuedSession:
        """Trade a refresh token for a new session; each refresh token works exactly once."""
        if not refresh_token.startswith(REFRESH_PREFIX) or len(refresh_token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("malformed refresh token", field="refresh_token")
        r_pk, r_sk = keys.refresh_token(token_hash(refresh_token))
        item = self._items.get(r_pk, r_sk)
        if item is None:
            raise Unauthenticated("refresh token expired or already used", field="refresh_token")
        try:
            # The conditional delete makes two concurrent refreshes with one token yield one session.
            self._items.delete(r_pk, r_sk, condition=Condition.equals("user_id", item["user_id"]))
        except ConditionFailed:
            raise Unauthenticated("refresh token already used", field="refresh_token") from None
        self._items.delete(*keys.session(item["session_hash"]))
        return self.issue_session(item["user_id"])

    def end_session(self, token: str) -> None:
        s_pk, s_sk = keys.session(token_hash(token))
        item = self._items.get(s_pk, s_sk)
        if item is None:
            return
        self._items.delete(*keys.refresh_token(item["refresh_hash"]))
        self._items.delete(s_pk, s_sk)
