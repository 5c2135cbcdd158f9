"""A revoked API key and a revoked (signed-out) session fail within a minute on every function.

The bound holds because nothing caches a credential: every request reads the key or session item
once (a consistent read on DynamoDB), and an item past its TTL is treated as gone on read, on the
one clock (core/values.clock), whatever DynamoDB's lazy TTL sweep has not yet deleted. So the test
drives each HTTP Lambda's own app (identity, runs, query, sql) on one data dir: the credential works,
it is revoked, and once the clock is advanced by the bound (never slept) every function answers 401,
while a key that was not revoked still works.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core import values
from wanllmdb_functions.core.settings import load_settings
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService

REVOCATION_BOUND_S = 60
SESSION_TTL_S = 3600

# One authenticated request per HTTP function; each answers anything but 401 to a valid caller.
PROBES: dict[str, tuple[str, str, dict[str, str] | None]] = {
    "identity": ("GET", "/api/auth/me", None),
    "runs": ("GET", "/api/runs/no-such-run", None),
    "query": ("GET", "/api/runs/no-such-run/metric-keys", None),
    "sql": ("POST", "/api/sql", {"query": "SELECT 1 AS one"}),
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(values, "clock", fake)
    return fake


@pytest.fixture
def functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, TestClient]]:
    import importlib

    monkeypatch.setenv("WANLLMDB_BACKEND", "local")
    monkeypatch.setenv("WANLLMDB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WANLLMDB_SESSION_TTL_S", str(SESSION_TTL_S))
    modules: dict[str, ModuleType] = {
        name: importlib.import_module(f"wanllmdb_functions.handlers.{name}") for name in PROBES
    }
    for module in modules.values():
        module.app.state.wl.reset()  # a cold start on these settings
    yield {name: TestClient(module.app) for name, module in modules.items()}
    for module in modules.values():
        module.app.state.wl.reset()


def _status(client: TestClient, name: str, token: str) -> int:
    method, path, body = PROBES[name]
    return client.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"}).status_code


def _statuses(functions: dict[str, TestClient], token: str) -> dict[str, int]:
    return {name: _status(client, name, token) for name, client in functions.items()}


def test_a_revoked_key_and_a_revoked_session_get_401_on_every_function_within_a_minute(
    functions: dict[str, TestClient], clock: Clock
) -> None:
    items = build_storage(load_settings()).items
    user = UserService(items).create("rita", password=None)
    credentials = CredentialService(items, session_ttl_s=SESSION_TTL_S)
    key, kept = credentials.create_key(user.id, "ci").key, credentials.create_key(user.id, "kept").key
    session = credentials.issue_session(user.id).token

    for token in (key, session, kept):
        assert 401 not in _statuses(functions, token).values()

    credentials.revoke_key(user.id, key.removeprefix("wl_").split("_", 1)[0])
    credentials.end_session(session)  # sign-out revokes the session's whole family
    # The promise is "within a minute"; a cache of up to 60 s on the one clock would keep it. (Today
    # nothing caches, so it also holds at 0 s: tests/functions/identity/test_auth_http.py.)
    clock.now += timedelta(seconds=REVOCATION_BOUND_S)
    assert _statuses(functions, key) == dict.fromkeys(PROBES, 401)
    assert _statuses(functions, session) == dict.fromkeys(PROBES, 401)
    assert 401 not in _statuses(functions, kept).values()


def test_an_expired_session_is_refused_on_the_clock_before_any_ttl_sweep_deletes_it(
    functions: dict[str, TestClient], clock: Clock
) -> None:
    items = build_storage(load_settings()).items
    user = UserService(items).create("sam", password=None)
    session = CredentialService(items, session_ttl_s=SESSION_TTL_S).issue_session(user.id).token
    clock.now += timedelta(seconds=SESSION_TTL_S - 1)
    assert 401 not in _statuses(functions, session).values()
    clock.now += timedelta(seconds=1)
    assert _statuses(functions, session) == dict.fromkeys(PROBES, 401)
