"""Login throttling, counted twice: per username and per client address. Either limit answers 429.

- Per username: at most `MAX_FAILURES` wrong passwords in a `WINDOW_S` window. This stops guessing
  one account's password from many addresses.
- Per address: an address may fail `ADDRESS_FREE_FAILURES` times without ever waiting. After that
  many failures it waits `ADDRESS_BACKOFF_BASE_S` before its next attempt, and twice as long after
  each further failure, at most `ADDRESS_BACKOFF_MAX_S`. This stops one
  address from spraying a common password over many accounts. A successful login (of any account)
  leaves the count alone, so a sprayer with one real account cannot reset it. The count is
  forgotten `ADDRESS_MEMORY_S` after the last failure.

IPv6 addresses are counted per /64, the block one subscriber usually gets. Both counters live in
the ItemStore with a TTL, so every Lambda instance and the local server share them.
"""

from __future__ import annotations

import ipaddress
import math

from ..core.errors import RateLimited
from ..core.values import now_epoch
from ..ports import ItemStore
from . import keys

__all__ = [
    "ADDRESS_BACKOFF_BASE_S",
    "ADDRESS_BACKOFF_MAX_S",
    "ADDRESS_FREE_FAILURES",
    "ADDRESS_MEMORY_S",
    "MAX_FAILURES",
    "WINDOW_S",
    "LoginThrottle",
    "address_backoff_s",
    "client_address",
]

MAX_FAILURES = 10
WINDOW_S = 15 * 60
ADDRESS_FREE_FAILURES = 20
ADDRESS_BACKOFF_BASE_S = 2
ADDRESS_BACKOFF_MAX_S = WINDOW_S
ADDRESS_MEMORY_S = ADDRESS_BACKOFF_MAX_S + WINDOW_S
_MAX_ADDRESS_CHARS = 64


def client_address(host: str | None) -> str:
    """The key an address is counted under: IPv4 as is, IPv6 by its /64, anything else verbatim."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:_MAX_ADDRESS_CHARS]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is the IPv4 client it wraps
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def address_backoff_s(failures: int) -> int:
    """How long an address waits after its `failures`-th failure before it may try again."""
    over = failures - ADDRESS_FREE_FAILURES
    if over < 0:
        return 0
    return int(min(ADDRESS_BACKOFF_BASE_S * 2 ** min(over, 32), ADDRESS_BACKOFF_MAX_S))


class LoginThrottle:
    def __init__(self, items: ItemStore, *, now: float | None = None) -> None:
        self._items = items
        self._now = now if now is not None else now_epoch()
        self._window = int(self._now // WINDOW_S)

    def check(self, username: str, address: str) -> None:
        """Raise RateLimited (with the seconds to wait) when this login may not even be tried."""
        seen = self._items.get(*keys.login_failures_of_address(address))
        if seen is not None:
            failures = int(seen.get("failures", 0))
            wait = float(seen.get("last_failure_at", 0)) + address_backoff_s(failures) - self._now
            if wait > 0:
                raise RateLimited(
                    f"too many failed logins from your address ({failures}): "
                    f"try again in {math.ceil(wait)} s",
                    retry_after_s=math.ceil(wait),
                )
        item = self._items.get(*keys.login_failures_of_user(username, self._window))
        if item is not None and int(item.get("failures", 0)) >= MAX_FAILURES:
            retry = max(math.ceil((self._window + 1) * WINDOW_S - self._now), 1)
            raise RateLimited(
                f"too many failed logins for {username!r}: try again in {retry} s",
                field="username",
                retry_after_s=retry,
            )

    def record_failure(self, username: str, address: str) -> None:
        pk, sk = keys.login_failures_of_user(username, self._window)
        self._items.update(pk, sk, add={"failures": 1}, set_attrs={"ttl": (self._window + 2) * WINDOW_S})
        self._items.update(
            *keys.login_failures_of_address(address),
            add={"failures": 1},
            set_attrs={"last_failure_at": self._now, "ttl": int(self._now) + ADDRESS_MEMORY_S},
        )
