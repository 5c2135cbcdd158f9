"""Login throttling, sign-up and the web's cookie session through HTTP against the identity app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from wanllmdb_functions.apps import create_app
from wanllmdb_functions.core import values
from wanllmdb_functions.handlers.identity_routers import IDENTITY_ROUTERS
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.throttle import ADDRESS_BACKOFF_BASE_S, ADDRESS_FREE_FAILURES, MAX_FAILURES
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.ports import ItemStore

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
    """The app's one clock (core.values.clock), frozen at now[0] epoch seconds until a test moves it."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(values, "clock", lambda: datetime.fromtimestamp(now[0], UTC))
    return now


def login(http: TestClient, username: str, password: str, **extra: str) -> httpx.Response:
    return http.post("/api/auth/login", json={"username": username, "password": password, **extra})


def cookies_set(response: httpx.Response) -> dict[str, dict[str, str]]:
    """Set-Cookie headers as {name: {"value": …, attribute (lowercase): value or ""}}."""
    found: dict[str, dict[str, str]] = {}
    for header in response.headers.get_list("set-cookie"):
        first, *attrs = (part.strip() for part in header.split(";"))
        name, _, value = first.partition("=")
        found[name] = {"value": value.strip('"')}
        for attr in attrs:
            key, _, val = attr.partition("=")
            found[name][key.lower()] = val.lower()
    return found


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


# -- sign-up ---------------------------------------------------------------------------------------


def test_sign_up_is_closed_by_default_and_the_refusal_names_the_fix(client: Client) -> None:
    refused = client().post("/api/auth/register", json={"username": "eve", "password": PASSWORD})
    assert refused.status_code == 403
    message = refused.json()["error"]["message"]
    assert "invitation" in message and "WANLLMDB_OPEN_SIGNUP=true" in message


def test_an_admin_invites_lists_and_revokes_over_http(app: FastAPI, client: Client) -> None:
    items = app.state.wl.storage.items
    root = UserService(items).create("root", password=None, is_admin=True)
    admin = {
        "Authorization": f"Bearer {CredentialService(items, session_ttl_s=60).create_key(root.id, 'k').key}"
    }
    http = client()
    kept = http.post("/api/invitations", json={"email": "kim@example.com"}, headers=admin).json()
    dropped = http.post("/api/invitations", json={"ttl_days": 1}, headers=admin).json()
    listed = http.get("/api/invitations", headers=admin).json()["items"]
    assert {i["id"] for i in listed} == {kept["id"], dropped["id"]} and "wli_" not in str(listed)
    assert http.delete(f"/api/invitations/{dropped['id']}", headers=admin).status_code == 204
    account = {"username": "kim", "password": PASSWORD, "session": "cookie"}
    refused = http.post("/api/auth/register", json={**account, "invitation": dropped["token"]})
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "invitation"
    made = http.post("/api/auth/register", json={**account, "invitation": kept["token"]})
    assert made.status_code == 201 and made.json()["user"]["email"] == "kim@example.com"
    assert made.json()["token"] is None and "wl_session" in cookies_set(made)
    assert http.get("/api/invitations", headers=admin).json()["items"] == []


def test_open_sign_up_lets_anyone_register(tmp_path: Path) -> None:
    with backend_state("local", tmp_path, open_signup=True) as state:
        http = TestClient(create_app(IDENTITY_ROUTERS, state=state))
        made = http.post("/api/auth/register", json={"username": "eve", "password": PASSWORD})
        assert made.status_code == 201 and made.json()["token"].startswith("wls_")


# -- the web's cookie session ----------------------------------------------------------------------


def test_cookie_login_sets_strict_httponly_cookies_and_returns_no_token(client: Client) -> None:
    response = login(client(), "alice", PASSWORD, session="cookie")
    assert response.status_code == 200
    body = response.json()
    assert body["token"] is None and body["refresh_token"] is None and body["user"]["username"] == "alice"
    cookies = cookies_set(response)
    session, refresh, csrf = cookies["wl_session"], cookies["wl_refresh"], cookies["wl_csrf"]
    assert session["value"].startswith("wls_") and refresh["value"].startswith("wlr_")
    for cookie in (session, refresh, csrf):
        assert cookie["samesite"] == "strict" and "secure" in cookie and cookie["value"] not in response.text
    assert "httponly" in session and session["path"] == "/"
    assert "httponly" in refresh and refresh["path"] == "/api/auth"
    assert "httponly" not in csrf and csrf["path"] == "/"


def test_token_mode_stays_the_default_for_api_clients(client: Client) -> None:
    response = login(client(), "alice", PASSWORD)
    assert response.json()["token"].startswith("wls_") and "set-cookie" not in response.headers


def test_a_cookie_session_reads_freely_but_writes_only_with_the_csrf_token(client: Client) -> None:
    web = client()
    csrf = cookies_set(login(web, "alice", PASSWORD, session="cookie"))["wl_csrf"]["value"]
    assert web.get("/api/auth/me").json()["username"] == "alice"
    missing = web.post("/api/keys", json={"name": "k"})
    assert missing.status_code == 403 and "X-CSRF-Token" in missing.json()["error"]["message"]
    wrong = web.post("/api/keys", json={"name": "k"}, headers={"X-CSRF-Token": csrf[:-1] + "x"})
    assert wrong.status_code == 403
    assert web.post("/api/keys", json={"name": "k"}, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert web.delete("/api/keys/abc").status_code == 403  # DELETE is unsafe too


def test_bearer_requests_need_no_csrf_header_and_win_over_the_cookie(client: Client) -> None:
    token = login(client(), "alice", PASSWORD).json()["token"]
    web = client()
    login(web, "alice", PASSWORD, session="cookie")
    bearer = {"Authorization": f"Bearer {token}"}
    assert web.post("/api/keys", json={"name": "k"}, headers=bearer).status_code == 201
    assert client().post("/api/keys", json={"name": "k"}, headers=bearer).status_code == 201


def test_a_cookie_refresh_rotates_the_cookies_and_never_puts_a_token_in_the_body(client: Client) -> None:
    web = client()
    first = cookies_set(login(web, "alice", PASSWORD, session="cookie"))
    # A script asking for a token-mode answer cannot lean on the HttpOnly cookie.
    sneaky = web.post("/api/auth/refresh", json={})
    assert sneaky.status_code == 400 and "wls_" not in sneaky.text and "wlr_" not in sneaky.text
    renewed = web.post("/api/auth/refresh", json={"session": "cookie"})
    assert renewed.status_code == 200
    assert renewed.json()["token"] is None and renewed.json()["refresh_token"] is None
    second = cookies_set(renewed)
    assert second["wl_session"]["value"] != first["wl_session"]["value"]
    assert web.get("/api/auth/me").status_code == 200
    csrf = {"X-CSRF-Token": first["wl_csrf"]["value"]}
    assert web.post("/api/keys", json={"name": "k"}, headers=csrf).status_code == 403  # the old one
    csrf = {"X-CSRF-Token": second["wl_csrf"]["value"]}
    assert web.post("/api/keys", json={"name": "k"}, headers=csrf).status_code == 201
    # The old refresh cookie replayed (a copy stolen earlier): the whole sign-in ends.
    replay = client()
    replay.cookies.set("wl_refresh", first["wl_refresh"]["value"], path="/api/auth")
    assert replay.post("/api/auth/refresh", json={"session": "cookie"}).status_code == 401
    assert web.get("/api/auth/me").status_code == 401
    assert web.post("/api/auth/refresh", json={"session": "cookie"}).status_code == 401


def test_cookie_logout_clears_the_cookies_and_ends_the_sign_in(client: Client) -> None:
    web = client()
    issued = cookies_set(login(web, "alice", PASSWORD, session="cookie"))
    csrf = {"X-CSRF-Token": issued["wl_csrf"]["value"]}
    assert web.post("/api/auth/logout").status_code == 403  # no CSRF token: a forged logout fails
    out = web.post("/api/auth/logout", headers=csrf)
    assert out.status_code == 204
    cleared = cookies_set(out)
    expected = dict.fromkeys(("wl_session", "wl_refresh", "wl_csrf"), ("", "0"))
    assert {n: (c["value"], c["max-age"]) for n, c in cleared.items()} == expected
    assert cleared["wl_refresh"]["path"] == "/api/auth"
    old = client()
    old.cookies.set("wl_session", issued["wl_session"]["value"])
    old.cookies.set("wl_refresh", issued["wl_refresh"]["value"], path="/api/auth")
    assert old.get("/api/auth/me").status_code == 401
    assert old.post("/api/auth/refresh", json={"session": "cookie"}).status_code == 401


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [("http://127.0.0.1:8080", True), ("http://localhost:8080", True), ("http://wanllmdb.lan", False)],
)
def test_cookies_are_secure_on_https_and_loopback_hosts(client: Client, base_url: str, secure: bool) -> None:
    cookies = cookies_set(login(client(base_url=base_url), "alice", PASSWORD, session="cookie"))
    assert all(("secure" in c) is secure for c in cookies.values())


def test_a_cookie_holding_an_api_key_is_refused(client: Client) -> None:
    bearer = {"Authorization": f"Bearer {login(client(), 'alice', PASSWORD).json()['token']}"}
    key = client().post("/api/keys", json={"name": "k"}, headers=bearer).json()["key"]
    web = client()
    web.cookies.set("wl_session", key)
    assert web.get("/api/auth/me").status_code == 401


def alices_key(items: ItemStore) -> dict[str, str]:
    alice = UserService(items).get_by_name("alice")
    assert alice is not None
    key = CredentialService(items, session_ttl_s=60).create_key(alice["id"], "k").key
    return {"Authorization": f"Bearer {key}"}


def test_a_read_scoped_key_reads_but_cannot_write_and_an_expired_key_is_refused(
    app: FastAPI, client: Client, clock: list[float]
) -> None:
    items = app.state.wl.storage.items
    owner = alices_key(items)
    http = client()
    made = http.post("/api/keys", json={"name": "dash", "scope": "read", "expires_in_days": 2}, headers=owner)
    assert made.status_code == 201, made.text
    body = made.json()
    # Two days after the frozen clock (2027-01-15).
    assert body["scope"] == "read" and body["expires_at"].startswith("2027-01-17")
    listed = {k["id"]: k for k in http.get("/api/keys", headers=owner).json()["items"]}
    assert listed[body["id"]]["scope"] == "read" and "key" not in listed[body["id"]]
    reader = {"Authorization": f"Bearer {body['key']}"}
    assert http.get("/api/keys", headers=reader).status_code == 200
    refused = http.post("/api/keys", json={"name": "escalate"}, headers=reader)
    assert refused.status_code == 403 and refused.json()["error"]["field"] == "scope"
    clock[0] += 2 * 86400
    expired = http.get("/api/keys", headers=reader)
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


def test_the_roles_list_names_every_permission_a_custom_role_may_use(app: FastAPI, client: Client) -> None:
    items = app.state.wl.storage.items
    owner = alices_key(items)
    roles = client().get("/api/roles", headers=owner).json()
    admin = next(r for r in roles["items"] if r["name"] == "admin")
    assert roles["permissions"] == sorted(admin["permissions"]) and "run:write" in roles["permissions"]
