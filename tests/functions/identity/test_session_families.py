"""Session families and refresh-token reuse detection, on both backends.

A login starts a family; each refresh rotates within it. Presenting a refresh token that was
already used revokes the whole family: the thief's and the owner's current tokens alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from wanllmdb_functions.core.errors import ConditionFailed, Conflict, Forbidden, Unauthenticated
from wanllmdb_functions.identity.credentials import CredentialService, IssuedSession, token_hash
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.ports import ItemStore, TransactOp

TTL = 3600


class BeforeWrite:
    """An ItemStore whose first transaction in each thread runs `hook` first: to put a rival between
    a read and its write. Transactions then run one at a time, so the interleaving is exactly
    read, read, write, write (how the store itself copes with simultaneous writes is the contract
    suite's business)."""

    def __init__(self, items: ItemStore, hook: Callable[[], None]) -> None:
        self._items, self._hook = items, hook
        self._one_at_a_time = threading.Lock()
        self._hooked = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._items, name)

    def transact_write(self, ops: list[TransactOp]) -> None:
        if not getattr(self._hooked, "done", False):
            self._hooked.done = True
            self._hook()
        with self._one_at_a_time:
            self._items.transact_write(ops)


def _works(credentials: CredentialService, issued: IssuedSession) -> tuple[bool, bool]:
    """(does the session token work, does the refresh token's item still exist unused)."""
    try:
        credentials.verify_session(issued.token)
        session_ok = True
    except Unauthenticated:
        session_ok = False
    refresh_item = credentials._items.get(f"REFRESH#{token_hash(issued.refresh_token)}", "REFRESH")
    return session_ok, refresh_item is not None and not refresh_item.get("used")


@pytest.fixture
def alice(items: ItemStore) -> str:
    return UserService(items).create("alice", password=None).id


def test_refresh_rotates_once_within_the_family(items: ItemStore, alice: str) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL)
    first = credentials.issue_session(alice)
    second = credentials.refresh(first.refresh_token)
    assert second.family_id == first.family_id
    assert (second.token, second.refresh_token) != (first.token, first.refresh_token)
    assert _works(credentials, first) == (False, False)
    assert _works(credentials, second) == (True, True)
    third = credentials.refresh(second.refresh_token)
    assert _works(credentials, third) == (True, True)


def test_a_reused_refresh_token_is_refused_and_revokes_its_family(items: ItemStore, alice: str) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL)
    stolen = credentials.issue_session(alice)
    current = credentials.refresh(credentials.refresh(stolen.refresh_token).refresh_token)
    other_login = credentials.issue_session(alice)  # the same user on another device
    with pytest.raises(Unauthenticated, match="already used") as refused:
        credentials.refresh(stolen.refresh_token)
    assert refused.value.field == "refresh_token"
    assert _works(credentials, current) == (False, False)
    with pytest.raises(Unauthenticated):
        credentials.refresh(current.refresh_token)
    assert _works(credentials, other_login) == (True, True)
    assert credentials.refresh(other_login.refresh_token).family_id == other_login.family_id


def test_reuse_by_the_thief_first_locks_the_thief_out_when_the_owner_refreshes(
    items: ItemStore, alice: str
) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL)
    owners = credentials.issue_session(alice)
    thiefs = credentials.refresh(owners.refresh_token)  # the thief refreshed with a copied token
    with pytest.raises(Unauthenticated, match="already used"):
        credentials.refresh(owners.refresh_token)  # the owner's turn: a replay
    assert _works(credentials, thiefs) == (False, False)


def test_two_refreshes_racing_with_one_token_yield_at_most_one_live_session(
    items: ItemStore, alice: str
) -> None:
    first = CredentialService(items, session_ttl_s=TTL).issue_session(alice)
    both_read = threading.Barrier(2, timeout=30)
    racing = CredentialService(BeforeWrite(items, both_read.wait), session_ttl_s=TTL)  # type: ignore[arg-type]

    def attempt(_: int) -> IssuedSession | Unauthenticated:
        try:
            return racing.refresh(first.refresh_token)
        except Unauthenticated as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(attempt, range(2)))
    winners = [a for a in answers if isinstance(a, IssuedSession)]
    assert len(winners) == 1, answers
    # The loser presented a token that had just been used: a replay, so the winner is revoked too.
    credentials = CredentialService(items, session_ttl_s=TTL)
    assert _works(credentials, winners[0]) == (False, False)


def test_a_refresh_racing_a_revocation_issues_nothing(items: ItemStore, alice: str) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL)
    issued = credentials.issue_session(alice)
    revoking = CredentialService(
        BeforeWrite(items, lambda: credentials.revoke_family(issued.family_id)),  # type: ignore[arg-type]
        session_ttl_s=TTL,
    )
    with pytest.raises(Unauthenticated, match="revoked"):
        revoking.refresh(issued.refresh_token)
    assert _works(credentials, issued) == (False, False)


def test_logout_ends_the_family(items: ItemStore, alice: str) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL)
    first = credentials.issue_session(alice)
    current = credentials.refresh(first.refresh_token)
    credentials.end_session(current.token)
    assert _works(credentials, current) == (False, False)
    with pytest.raises(Unauthenticated):
        credentials.refresh(current.refresh_token)


def test_cookie_sessions_store_only_the_csrf_hash_and_check_it(items: ItemStore, alice: str) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL)
    issued = credentials.issue_session(alice, with_csrf=True)
    assert issued.csrf_token
    record = credentials.verify_session(issued.token)
    assert record["csrf_hash"] == token_hash(issued.csrf_token)
    assert issued.csrf_token not in str(record)
    credentials.check_csrf(record, issued.csrf_token)
    for wrong in (None, "", issued.csrf_token + "x", "x" * 300):
        with pytest.raises(Forbidden, match="X-CSRF-Token"):
            credentials.check_csrf(record, wrong)
    # A token-mode session has no CSRF token, so no header can pass for it.
    with pytest.raises(Forbidden):
        credentials.check_csrf(credentials.verify_session(credentials.issue_session(alice).token), "x")
    renewed = credentials.refresh(issued.refresh_token, with_csrf=True)
    assert renewed.csrf_token and renewed.csrf_token != issued.csrf_token


def test_a_refresh_cancelled_by_a_transaction_conflict_leaves_the_token_usable(
    items: ItemStore, alice: str
) -> None:
    def cancelled() -> None:  # what DynamoDB answers when a rival transaction touched these items
        raise ConditionFailed("transaction cancelled: TransactionConflict")

    credentials = CredentialService(items, session_ttl_s=TTL)
    issued = credentials.issue_session(alice)
    with pytest.raises(Conflict, match="try again"):
        CredentialService(BeforeWrite(items, cancelled), session_ttl_s=TTL).refresh(issued.refresh_token)  # type: ignore[arg-type]
    assert _works(credentials, credentials.refresh(issued.refresh_token)) == (True, True)
