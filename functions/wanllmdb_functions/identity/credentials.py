"""API keys and web sessions: issued once, stored only as hashes, verified with one read each.

API keys look like `wl_<key id>_<secret>`. The key id locates the item with one GetItem; the
secret's SHA-256 is compared in constant time. A fast hash is right here (unlike for passwords):
the secret has 256 bits of entropy, so nobody can brute-force it from a leaked hash.

Sessions are opaque random tokens (`wls_…`), refresh tokens `wlr_…`. Both are stored under their
SHA-256 with the ItemStore's TTL. Opaque tokens rather than signed ones: logout and revocation take
effect at once, and no signing secret has to be shared between Lambdas or rotated.

Every login starts a session family; refreshing rotates within it. A refresh marks the old token
used in the same transaction that issues the new pair, and a used token presented again revokes
the family: refresh-token reuse detection (OAuth 2.0 Security BCP, section 4.14).

A session issued for cookie mode (the web) also gets a CSRF token; the session item keeps only its
SHA-256, and a cookie-authenticated unsafe request must echo the token in `X-CSRF-Token`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.errors import ConditionFailed, Conflict, Forbidden, NotFound, Unauthenticated
from ..core.values import now_iso, now_utc
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .models import ApiKeyCreate, ApiKeyCreated, ApiKeyInfo

__all__ = [
    "API_KEY_PREFIX",
    "CSRF_HEADER",
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
CSRF_HEADER = "X-CSRF-Token"
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
    family_id: str
    refresh_ttl: int  # epoch seconds when the refresh token (and, unless rotated, its family) expires
    csrf_token: str | None = None  # cookie mode only; the session item holds its hash


def _key_info(item: Item) -> ApiKeyInfo:
    return ApiKeyInfo.model_validate(
        {
            "id": item["key_id"],
            "name": item["name"],
            "created_at": item["created_at"],
            "last_used_at": item.get("last_used_at"),
            "scope": item.get("scope", "all"),
            "expires_at": item.get("expires_at"),
        }
    )


class CredentialService:
    def __init__(self, items: ItemStore, *, session_ttl_s: int) -> None:
        self._items = items
        self._session_ttl_s = session_ttl_s

    # -- API keys ------------------------------------------------------------------------------
    def create_key(self, user_id: str, spec: ApiKeyCreate | str) -> ApiKeyCreated:
        """A new key for `user_id` (a bare name: scope all, no expiry)."""
        spec = ApiKeyCreate(name=spec) if isinstance(spec, str) else spec
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        pk, sk = keys.apikey(key_id)
        now = now_utc()
        item: Item = {
            "pk": pk,
            "sk": sk,
            "key_id": key_id,
            "user_id": user_id,
            "name": spec.name,
            "scope": spec.scope,
            "secret_hash": token_hash(secret),
            "created_at": now_iso(now),
            "gsi1pk": keys.user_keys(user_id),
            "gsi1sk": f"{now_iso(now)}#{key_id}",
        }
        if spec.expires_in_days is not None:
            expires = now + timedelta(days=spec.expires_in_days)
            # verify_key refuses it from expires_at on; the TTL only clears the item away later.
            item |= {"expires_at": now_iso(expires), "ttl": int(expires.timestamp())}
        self._items.put(item, condition=Condition.not_exists())
        key = f"{API_KEY_PREFIX}{key_id}_{secret}"
        return ApiKeyCreated.model_validate({**_key_info(item).model_dump(), "key": key})

    def list_keys(self, user_id: str) -> list[ApiKeyInfo]:
        return [_key_info(i) for i in self._items.query_all(keys.user_keys(user_id), index="gsi1")]

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
            raise Unauthenticated("invalid, revoked or expired API key")
        expires = item.get("expires_at")
        if expires is not None and now_utc() >= datetime.fromisoformat(expires.replace("Z", "+00:00")):
            raise Unauthenticated(f"API key {key_id} expired at {expires}: create a new one")
        self._note_use(item)
        return item

    def _note_use(self, item: Item, now: datetime | None = None) -> None:
        """Record when the key was last used, at most once per LAST_USED_RESOLUTION: one small write
        an hour per key instead of one per request."""
        now = now or now_utc()
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
    def issue_session(self, user_id: str, *, with_csrf: bool = False) -> IssuedSession:
        """A fresh sign-in: a session and refresh token starting a new family.

        `with_csrf` (cookie mode) also issues the CSRF token that unsafe requests must echo.
        """
        family_id = secrets.token_hex(12)
        issued, ops = self._session_ops(user_id, family_id, with_csrf=with_csrf)
        self._items.transact_write([*ops, TransactOp("put", self._family(issued), Condition.not_exists())])
        return issued

    def _session_ops(
        self, user_id: str, family_id: str, *, with_csrf: bool
    ) -> tuple[IssuedSession, list[TransactOp]]:
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32) if with_csrf else None
        now = now_utc()
        expires = now + timedelta(seconds=self._session_ttl_s)
        refresh_ttl = int((now + timedelta(seconds=self._session_ttl_s * REFRESH_TTL_FACTOR)).timestamp())
        session_hash, refresh_hash = token_hash(token), token_hash(refresh)
        s_pk, s_sk = keys.session(session_hash)
        r_pk, r_sk = keys.refresh_token(refresh_hash)
        m_pk, m_sk = keys.session_family_member(family_id, session_hash)
        link = {"user_id": user_id, "family": family_id}
        session = {
            "pk": s_pk,
            "sk": s_sk,
            **link,
            "refresh_hash": refresh_hash,
            "csrf_hash": None if csrf is None else token_hash(csrf),
            "ttl": int(expires.timestamp()),
        }
        refresh_item = {"pk": r_pk, "sk": r_sk, **link, "session_hash": session_hash, "used": False,
                        "ttl": refresh_ttl}  # fmt: skip
        member = {"pk": m_pk, "sk": m_sk, "session_hash": session_hash, "refresh_hash": refresh_hash,
                  "ttl": refresh_ttl}  # fmt: skip
        issued = IssuedSession(user_id, token, refresh, expires, family_id, refresh_ttl, csrf)
        ops = [
            TransactOp("put", session, Condition.not_exists()),
            TransactOp("put", refresh_item, Condition.not_exists()),
            TransactOp("put", member, Condition.not_exists()),
        ]
        return issued, ops

    @staticmethod
    def _family(issued: IssuedSession) -> Item:
        """The family item, living as long as its newest refresh token; `revoked` ends it for good."""
        pk, sk = keys.session_family(issued.family_id)
        return {"pk": pk, "sk": sk, "user_id": issued.user_id, "revoked": False, "ttl": issued.refresh_ttl}

    def verify_session(self, token: str) -> Item:
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("malformed session token")
        item = self._items.get(*keys.session(token_hash(token)))
        if item is None:
            raise Unauthenticated("session expired or signed out: log in again")
        return item

    @staticmethod
    def check_csrf(session: Item, presented: str | None) -> None:
        """Raise Forbidden unless `presented` is the CSRF token issued with this (cookie) session."""
        expected = session.get("csrf_hash")
        if presented is None or len(presented) > MAX_TOKEN_LENGTH:
            problem = f"missing {CSRF_HEADER} header"
        elif not expected or not hmac.compare_digest(expected, token_hash(presented)):
            problem = f"wrong {CSRF_HEADER} header"
        else:
            return
        raise Forbidden(
            f"{problem}: a request signed in by cookie that changes something must send "
            f"{CSRF_HEADER} with the value of the wl_csrf cookie (or use Authorization: Bearer)",
            field=CSRF_HEADER,
        )

    def refresh(self, refresh_token: str, *, with_csrf: bool = False) -> IssuedSession:
        """Trade a refresh token for a new session of the same family; each token works exactly once.

        Presenting a token that was already used means two parties hold it, one of them a thief:
        the whole family is revoked, so both the thief's and the rightful owner's current session
        and refresh token stop working, and the owner has to log in again.
        """
        if not refresh_token.startswith(REFRESH_PREFIX) or len(refresh_token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("malformed refresh token", field="refresh_token")
        item = self._items.get(*keys.refresh_token(token_hash(refresh_token)))
        if item is None or "family" not in item:  # expired, revoked, or issued before families existed
            raise Unauthenticated("refresh token expired or revoked: log in again", field="refresh_token")
        family_id = item["family"]
        if item.get("used"):
            self.revoke_family(family_id)
            raise _reused()
        issued, ops = self._session_ops(item["user_id"], family_id, with_csrf=with_csrf)
        ops += [
            # Marking the old token used (not deleting it) is what lets a replay be recognised.
            TransactOp("put", {**item, "used": True}, Condition.equals("used", False)),
            TransactOp("delete", _key(keys.session(item["session_hash"]))),
            TransactOp("delete", _key(keys.session_family_member(family_id, item["session_hash"]))),
            TransactOp("put", self._family(issued), Condition.equals("revoked", False)),
        ]
        try:
            self._items.transact_write(ops)
        except ConditionFailed:
            current = self._items.get(*keys.refresh_token(token_hash(refresh_token)))
            if current is not None and current.get("used"):
                # Another request used this token a moment ago: a replay all the same.
                self.revoke_family(family_id)
                raise _reused() from None
            family = self._items.get(*keys.session_family(family_id))
            if current is None or family is None or family.get("revoked"):
                raise Unauthenticated(
                    "this sign-in was revoked: log in again", field="refresh_token"
                ) from None
            # Nothing used, nothing revoked: DynamoDB cancelled this transaction because another one
            # touched the same items at that moment. The token is still good.
            raise Conflict(
                "this sign-in changed at the same moment: try again", field="refresh_token"
            ) from None
        return issued

    def revoke_family(self, family_id: str) -> None:
        """End every session and refresh token of one sign-in, including ones being issued right now.

        `revoked` is set first: a concurrent refresh either committed before it (and its session is
        found by the consistent query below) or fails its condition on the family.
        """
        with contextlib.suppress(ConditionFailed):  # an expired family has nothing left to end
            self._items.update(
                *keys.session_family(family_id), set_attrs={"revoked": True}, condition=Condition.exists()
            )
        pk = keys.session_family(family_id)[0]
        for member in self._items.query_all(pk, sk_prefix="MEMBER#"):
            self._items.delete(*keys.session(member["session_hash"]))
            self._items.delete(*keys.refresh_token(member["refresh_hash"]))
            self._items.delete(member["pk"], member["sk"])

    def end_session(self, token: str) -> None:
        """Log out: the session's whole family ends, so no refresh token of this sign-in works."""
        s_pk, s_sk = keys.session(token_hash(token))
        item = self._items.get(s_pk, s_sk)
        if item is None:
            return
        if "family" in item:
            self.revoke_family(item["family"])  # deletes this session and its refresh token too
            return
        self._items.delete(*keys.refresh_token(item["refresh_hash"]))  # issued before families existed
        self._items.delete(s_pk, s_sk)


def _key(pk_sk: tuple[str, str]) -> Item:
    return {"pk": pk_sk[0], "sk": pk_sk[1]}


def _reused() -> Unauthenticated:
    return Unauthenticated(
        "refresh token already used: every session of this sign-in is revoked; log in again",
        field="refresh_token",
    )
