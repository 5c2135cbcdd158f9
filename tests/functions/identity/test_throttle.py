"""The per-address login limit with exponential backoff, on both backends (HTTP: test_auth_http.py)."""

from __future__ import annotations

import pytest

from wanllmdb_functions.core.errors import RateLimited
from wanllmdb_functions.identity.throttle import (
    ADDRESS_BACKOFF_BASE_S,
    ADDRESS_BACKOFF_MAX_S,
    ADDRESS_FREE_FAILURES,
    ADDRESS_MEMORY_S,
    MAX_FAILURES,
    LoginThrottle,
    address_backoff_s,
    client_address,
)
from wanllmdb_functions.ports import ItemStore

NOW = 1_800_000_000.0
SPRAYER = "203.0.113.7"


def _spray(items: ItemStore, count: int, *, at: float = NOW, first: int = 0) -> None:
    """`count` failed logins from SPRAYER, each for another username (one guess per account)."""
    throttle = LoginThrottle(items, now=at)
    for i in range(first, first + count):
        throttle.check(f"user{i}", SPRAYER)
        throttle.record_failure(f"user{i}", SPRAYER)


def _wait_after(items: ItemStore, at: float) -> int | None:
    try:
        LoginThrottle(items, now=at).check("someone-new", SPRAYER)
    except RateLimited as exc:
        return exc.retry_after_s
    return None


def test_one_address_spraying_many_usernames_must_wait_after_the_free_failures(items: ItemStore) -> None:
    assert ADDRESS_FREE_FAILURES > MAX_FAILURES  # or the per-username limit would hide this one
    _spray(items, ADDRESS_FREE_FAILURES - 1)
    assert _wait_after(items, NOW) is None
    _spray(items, 1, first=ADDRESS_FREE_FAILURES)
    assert _wait_after(items, NOW) == ADDRESS_BACKOFF_BASE_S
    LoginThrottle(items, now=NOW).check("someone-new", "198.51.100.1")  # other addresses are unaffected


def test_each_further_failure_doubles_the_wait(items: ItemStore) -> None:
    _spray(items, ADDRESS_FREE_FAILURES)
    at, waits = NOW, []
    for i in range(4):
        wait = _wait_after(items, at)
        assert wait is not None
        waits.append(wait)
        assert _wait_after(items, at + wait) is None  # waiting it out lets the next attempt through
        at += wait
        _spray(items, 1, at=at, first=100 + i)
    assert waits == [ADDRESS_BACKOFF_BASE_S * 2**i for i in range(4)]


def test_the_wait_is_capped_and_the_count_forgotten(items: ItemStore) -> None:
    assert address_backoff_s(ADDRESS_FREE_FAILURES + 1000) == ADDRESS_BACKOFF_MAX_S
    _spray(items, ADDRESS_FREE_FAILURES)
    record = items.get(f"LOGINFAILIP#{SPRAYER}", "LOGINFAIL")
    assert record is not None and record["ttl"] == int(NOW) + ADDRESS_MEMORY_S


def test_the_address_limit_answers_before_the_per_username_one(items: ItemStore) -> None:
    _spray(items, ADDRESS_FREE_FAILURES)
    with pytest.raises(RateLimited) as refused:
        LoginThrottle(items, now=NOW).check("user0", SPRAYER)
    assert refused.value.field is None and "your address" in refused.value.message


@pytest.mark.parametrize(
    ("host", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        (None, "unknown"),
        ("testclient", "testclient"),
        ("x" * 200, "x" * 64),
    ],
)
def test_addresses_are_counted_per_ipv4_address_and_ipv6_slash_64(host: str | None, counted_as: str) -> None:
    assert client_address(host) == counted_as
