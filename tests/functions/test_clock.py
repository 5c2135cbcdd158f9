"""One clock: freezing core.values.clock freezes every stored timestamp, expiry and TTL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.core import values
from wanllmdb_functions.core.errors import Unauthenticated
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService

FROZEN = datetime(2031, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
TTL_S = 3600


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(FROZEN)
    monkeypatch.setattr(values, "clock", frozen)
    return frozen


@pytest.fixture
def items(tmp_path: Path) -> Iterator[SqliteItemStore]:
    store = SqliteItemStore(tmp_path / "items.sqlite3")
    yield store
    store.close()


def test_now_iso_now_utc_and_now_epoch_read_the_one_clock(clock: Clock) -> None:
    assert values.now_iso() == "2031-02-03T04:05:06.000007Z"
    assert values.now_utc() == FROZEN
    assert values.now_epoch() == FROZEN.timestamp()


def test_stored_timestamps_come_from_the_frozen_clock(clock: Clock, items: SqliteItemStore) -> None:
    user = UserService(items).create("alice", password=None)
    key = CredentialService(items, session_ttl_s=TTL_S).create_key(user.id, "laptop")
    stamped = [UserService(items).get(user.id), items.get(f"APIKEY#{key.id}", "APIKEY")]
    assert [item["created_at"] for item in stamped if item] == [values.now_iso()] * 2


def test_a_session_expires_when_the_frozen_clock_passes_its_ttl(clock: Clock, items: SqliteItemStore) -> None:
    credentials = CredentialService(items, session_ttl_s=TTL_S)
    issued = credentials.issue_session(UserService(items).create("alice", password=None).id)
    assert issued.expires_at == FROZEN + timedelta(seconds=TTL_S)
    credentials.verify_session(issued.token)
    clock.at = FROZEN + timedelta(seconds=TTL_S + 1)
    with pytest.raises(Unauthenticated):
        credentials.verify_session(issued.token)
