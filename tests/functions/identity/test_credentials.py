"""Users, API keys and sessions on both backends."""

from __future__ import annotations

import pytest

from wanllmdb_functions.core.errors import Conflict, NotFound, Unauthenticated
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.ports import ItemStore

TTL = 3600


def test_password_is_stored_as_argon2_and_checked(items: ItemStore) -> None:
    users = UserService(items)
    user = users.create("alice", password="correct horse")
    stored = users.get(user.id)
    assert stored is not None and stored["password_hash"].startswith("$argon2")
    assert "correct horse" not in str(stored)
    assert users.check_password("alice", "correct horse") is not None
    assert users.check_password("alice", "wrong") is None
    assert users.check_password("nobody", "correct horse") is None


def test_usernames_are_unique_across_users_and_orgs(items: ItemStore) -> None:
    users = UserService(items)
    users.create("alice", password=None)
    with pytest.raises(Conflict):
        users.create("alice", password=None)


def test_api_key_is_shown_once_stored_hashed_and_verifies(items: ItemStore) -> None:
    user = UserService(items).create("alice", password=None)
    credentials = CredentialService(items, session_ttl_s=TTL)
    created = credentials.create_key(user.id, "laptop")
    assert created.key.startswith(f"wl_{created.id}_")
    secret = created.key.split("_", 2)[2]
    assert all(secret not in str(v) for v in items.get(f"APIKEY#{created.id}", "APIKEY").values())  # type: ignore[union-attr]
    assert credentials.verify_key(created.key)["user_id"] == user.id
    assert [k.name for k in credentials.list_keys(user.id)] == ["laptop"]
    caller = resolve_caller(items, created.key, session_ttl_s=TTL)
    assert (caller.username, caller.key_id, caller.via) == ("alice", created.id, "api_key")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),
        lambda k: k + "x",
        lambda k: "wl_",
        lambda k: "wl_zz_" + k,
        lambda k: k.replace("wl_", "xx_"),
    ],
)
def test_tampered_or_malformed_key_is_refused(items: ItemStore, mangle) -> None:  # type: ignore[no-untyped-def]
    user = UserService(items).create("alice", password=None)
    key = CredentialService(items, session_ttl_s=TTL).create_key(user.id, "k").key
    with pytest.raises(Unauthenticated):
        resolve_caller(items, mangle(key), session_ttl_s=TTL)


def test_revoked_key_stops_working_and_only_its_owner_can_revoke_it(items: ItemStore) -> None:
    users = UserService(items)
    alice, bob = users.create("alice", password=None), users.create("bob", password=None)
    credentials = CredentialService(items, session_ttl_s=TTL)
    key = credentials.create_key(alice.id, "k")
    with pytest.raises(NotFound):
        credentials.revoke_key(bob.id, key.id)
    credentials.verify_key(key.key)
    credentials.revoke_key(alice.id, key.id)
    with pytest.raises(Unauthenticated):
        credentials.verify_key(key.key)
    assert credentials.list_keys(alice.id) == []


def test_session_refresh_ends_the_old_session_and_logout_ends_the_new_one(items: ItemStore) -> None:
    # Replaying a used refresh token: tests/functions/identity/test_session_families.py.
    user = UserService(items).create("alice", password=None)
    credentials = CredentialService(items, session_ttl_s=TTL)
    first = credentials.issue_session(user.id)
    assert resolve_caller(items, first.token, session_ttl_s=TTL).via == "session"
    second = credentials.refresh(first.refresh_token)
    with pytest.raises(Unauthenticated):
        credentials.verify_session(first.token)
    credentials.verify_session(second.token)
    credentials.end_session(second.token)
    with pytest.raises(Unauthenticated):
        credentials.verify_session(second.token)
    with pytest.raises(Unauthenticated):
        credentials.refresh(second.refresh_token)


def test_session_expires_with_the_item_store_ttl(items: ItemStore) -> None:
    user = UserService(items).create("alice", password=None)
    credentials = CredentialService(items, session_ttl_s=TTL)
    issued = credentials.issue_session(user.id)
    pk, sk = f"SESSION#{__import__('hashlib').sha256(issued.token.encode()).hexdigest()}", "SESSION"
    items.update(pk, sk, set_attrs={"ttl": 1})  # expired in 1970
    with pytest.raises(Unauthenticated):
        credentials.verify_session(issued.token)


def test_login_throttle_counts_failures_per_window(items: ItemStore) -> None:
    from wanllmdb_functions.core.errors import RateLimited
    from wanllmdb_functions.identity.throttle import MAX_FAILURES, WINDOW_S, LoginThrottle

    now = 1_800_000_000.0
    throttle = LoginThrottle(items, now=now)
    for i in range(MAX_FAILURES):
        # From many addresses: the per-username limit holds however the guesses are spread.
        address = f"198.51.100.{i}"
        throttle.check("alice", address)
        throttle.record_failure("alice", address)
    with pytest.raises(RateLimited) as refused:
        throttle.check("alice", "203.0.113.99")
    assert refused.value.field == "username" and refused.value.retry_after_s == WINDOW_S - now % WINDOW_S
    LoginThrottle(items, now=now).check("bob", "203.0.113.99")
    LoginThrottle(items, now=now + WINDOW_S).check("alice", "203.0.113.99")  # a new window starts clean


def test_a_keys_last_use_is_recorded_at_most_once_an_hour(items: ItemStore) -> None:
    from datetime import UTC, datetime, timedelta

    from wanllmdb_functions.core.values import now_iso

    user = UserService(items).create("alice", password=None)
    credentials = CredentialService(items, session_ttl_s=TTL)
    created = credentials.create_key(user.id, "ci")
    assert credentials.list_keys(user.id)[0].last_used_at is None
    credentials.verify_key(created.key)
    first = items.get(f"APIKEY#{created.id}", "APIKEY")["last_used_at"]  # type: ignore[index]
    credentials.verify_key(created.key)  # within the hour: no write
    assert items.get(f"APIKEY#{created.id}", "APIKEY")["last_used_at"] == first  # type: ignore[index]
    stale = now_iso(datetime.now(UTC) - timedelta(hours=2))
    items.update(f"APIKEY#{created.id}", "APIKEY", set_attrs={"last_used_at": stale})
    credentials.verify_key(created.key)
    listed = credentials.list_keys(user.id)[0].last_used_at
    assert listed is not None and datetime.now(UTC) - listed < timedelta(minutes=1)
