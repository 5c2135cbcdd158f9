"""Login throttling through HTTP against the identity app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wanllmdb_functions.core.app import create_app
from wanllmdb_functions.identity import throttle
from wanllmdb_functions.identity.routers import IDENTITY_ROUTERS
from wanllmdb_functions.identity.throttle import ADDRESS_BACKOFF_BASE_S, ADDRESS_FREE_FAILURES, MAX_FAILURES
from wanllmdb_functions.identity.users import UserService

from ..backends import backend_state

PASSWORD = "correct horse battery"
SPRAYER = "203.0.113.7"
Client = Callable[..., TestClient]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    with backend_state("local", tmp_path) as state:
        UserService(state.storage.items).create("alice", password=PASSWORD)
        yield create_app(IDENTITY_ROUTERS, state=state)


@pytest.fixture
def client(app: FastAPI) -> Client:
    def make(address: str = "198.51.100.1", base_url: str = "https://testserver") -> TestClient:
        return TestClient(app, base_url=base_url, client=(address, 40000))

    return make


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttle's clock (only its own: the rest of the app keeps real time)."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: now[0]))
    return now


def login(http: TestClient, username: str, password: str, **extra: str) -> httpx.Response:
    return http.post("/api/auth/login", json={"username": username, "password": password, **extra})


# -- login throttling -------------------------------------------------------------------------------


def test_one_address_spraying_usernames_gets_429_with_retry_after_that_doubles(
    client: Client, clock: list[float]
) -> None:
    sprayer = client(SPRAYER)
    for i in range(ADDRESS_FREE_FAILURES):
        assert login(sprayer, f"victim{i}", "Summer2026!").status_code == 401
    refused = login(sprayer, "victim-next", "Summer2026!")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert refused.headers["retry-after"] == str(ADDRESS_BACKOFF_BASE_S)
    assert login(sprayer, "alice", PASSWORD).status_code == 429  # even the right password waits
    assert login(client("198.51.100.2"), "alice", "wrong").status_code == 401  # other addresses: no wait
    clock[0] += ADDRESS_BACKOFF_BASE_S
    assert login(sprayer, "victim-next", "Summer2026!").status_code == 401
    again = login(sprayer, "victim-after", "Summer2026!")
    assert again.status_code == 429 and again.headers["retry-after"] == str(2 * ADDRESS_BACKOFF_BASE_S)


def test_a_successful_login_does_not_reset_the_address_count(client: Client, clock: list[float]) -> None:
    sprayer = client(SPRAYER)
    for i in range(ADDRESS_FREE_FAILURES - 1):
        assert login(sprayer, f"victim{i}", "Summer2026!").status_code == 401
    assert login(sprayer, "alice", PASSWORD).status_code == 200  # the sprayer's own account
    assert login(sprayer, "victim-last", "Summer2026!").status_code == 401
    assert login(sprayer, "alice", PASSWORD).status_code == 429


def test_the_per_username_limit_holds_across_addresses(client: Client, clock: list[float]) -> None:
    for i in range(MAX_FAILURES):
        assert login(client(f"198.51.100.{10 + i}"), "alice", "guess").status_code == 401
    refused = login(client("198.51.100.99"), "alice", PASSWORD)
    assert refused.status_code == 429 and refused.json()["error"]["field"] == "username"
    assert int(refused.headers["retry-after"]) >= 1
    assert login(client("198.51.100.99"), "bob", "whatever").status_code == 401
