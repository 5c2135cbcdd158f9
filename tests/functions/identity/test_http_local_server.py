"""Identity through real HTTP against a real `wanllmdb server` process."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from ...conftest import LocalServer, start_local_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(module_server: LocalServer) -> LocalServer:
    """One server for the tests below: each works on its own names, so they can share it."""
    return module_server


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin_key(server: LocalServer) -> str:
    return (server.data_dir / "admin-api-key").read_text().strip()


def test_first_start_writes_the_admin_key_0600_and_prints_only_its_path(server: LocalServer) -> None:
    path = server.data_dir / "admin-api-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = admin_key(server)
    assert str(path) in server.log()
    assert key not in server.log()
    me = httpx.get(f"{server.url}/api/auth/me", headers=bearer(key)).json()
    assert (me["username"], me["is_admin"]) == ("admin", True)


def test_restart_keeps_the_admin_key(tmp_path: Path) -> None:
    server = start_local_server(tmp_path / "data")
    key = admin_key(server)
    server.stop()
    server = start_local_server(tmp_path / "data")
    try:
        assert admin_key(server) == key
        assert httpx.get(f"{server.url}/api/auth/me", headers=bearer(key)).status_code == 200
    finally:
        server.stop()


def test_web_session_lifecycle(server: LocalServer) -> None:
    url = server.url
    account = {"username": "alice", "password": "correct horse battery"}
    closed = httpx.post(f"{url}/api/auth/register", json=account)
    assert closed.status_code == 403 and "invitation" in closed.json()["error"]["message"]
    invited = httpx.post(f"{url}/api/invitations", json={}, headers=bearer(admin_key(server))).json()
    registered = httpx.post(f"{url}/api/auth/register", json={**account, "invitation": invited["token"]})
    assert registered.status_code == 201
    again = {**account, "username": "alice2", "invitation": invited["token"]}
    assert httpx.post(f"{url}/api/auth/register", json=again).status_code == 403  # used up
    wrong = httpx.post(f"{url}/api/auth/login", json={**account, "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["field"] == "password"
    session = httpx.post(f"{url}/api/auth/login", json=account).json()
    assert httpx.get(f"{url}/api/auth/me", headers=bearer(session["token"])).json()["username"] == "alice"
    renewed = httpx.post(f"{url}/api/auth/refresh", json={"refresh_token": session["refresh_token"]}).json()
    assert httpx.get(f"{url}/api/auth/me", headers=bearer(session["token"])).status_code == 401
    assert httpx.post(f"{url}/api/auth/logout", headers=bearer(renewed["token"])).status_code == 204
    assert httpx.get(f"{url}/api/auth/me", headers=bearer(renewed["token"])).status_code == 401


def test_the_web_signs_in_by_cookie_on_the_loopback_server(server: LocalServer) -> None:
    key = admin_key(server)
    login = httpx.post(
        f"{server.url}/api/auth/login", json={"username": "admin", "password": key, "session": "cookie"}
    )
    assert login.status_code == 200 and login.json()["token"] is None
    set_cookies = {h.split("=", 1)[0]: h for h in login.headers.get_list("set-cookie")}
    # http://127.0.0.1 is a secure context to browsers, so even the plain-http server sets Secure.
    assert all("Secure" in h and "SameSite=strict" in h for h in set_cookies.values())
    cookie = "; ".join(h.split(";", 1)[0] for h in set_cookies.values())
    me = httpx.get(f"{server.url}/api/auth/me", headers={"Cookie": cookie})
    assert me.status_code == 200 and me.json()["username"] == "admin"


def test_admin_signs_in_to_the_web_with_the_key_as_password(server: LocalServer) -> None:
    key = admin_key(server)
    login = httpx.post(f"{server.url}/api/auth/login", json={"username": "admin", "password": key})
    assert login.status_code == 200 and login.json()["user"]["is_admin"] is True
    other = httpx.post(f"{server.url}/api/auth/login", json={"username": "nobody", "password": key})
    assert other.status_code == 401


def test_api_keys_are_shown_once_listed_without_secret_and_revocable(server: LocalServer) -> None:
    url, admin = server.url, bearer(admin_key(server))
    created = httpx.post(f"{url}/api/keys", json={"name": "ci"}, headers=admin).json()
    listed = httpx.get(f"{url}/api/keys", headers=admin).json()["items"]
    assert {k["name"] for k in listed} == {"local admin", "ci"}
    assert "key" not in listed[0] and created["key"] not in str(listed)
    assert httpx.get(f"{url}/api/auth/me", headers=bearer(created["key"])).status_code == 200
    assert httpx.delete(f"{url}/api/keys/{created['id']}", headers=admin).status_code == 204
    refused = httpx.get(f"{url}/api/auth/me", headers=bearer(created["key"]))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"


def test_mutations_are_audited_with_request_id_and_filterable(server: LocalServer) -> None:
    url, admin = server.url, bearer(admin_key(server))
    created = httpx.post(
        f"{url}/api/projects", json={"name": "audited"}, headers={**admin, "X-Request-Id": "trace-42"}
    )
    assert created.status_code == 201 and created.headers["x-request-id"] == "trace-42"
    httpx.post(f"{url}/api/projects", json={"name": "x"})  # anonymous and refused: audited too
    page = httpx.get(
        f"{url}/api/audit", params={"actor": "admin", "action": "POST /api/projects"}, headers=admin
    )
    entry = page.json()["items"][0]
    assert (entry["request_id"], entry["status"], entry["target"]) == ("trace-42", 201, "/api/projects")
    assert entry["source_ip"] == "127.0.0.1" and entry["via"] == "api_key"
    anonymous = httpx.get(f"{url}/api/audit", params={"actor": "-"}, headers=admin).json()["items"]
    assert ("POST /api/projects", 401) in [(e["action"], e["status"]) for e in anonymous]
    assert httpx.get(
        f"{url}/api/audit", headers=admin, params={"since": "2000-01-01T00:00:00Z", "limit": 1}
    ).json()["next_cursor"]


def test_heartbeats_are_audited_only_when_refused(server: LocalServer) -> None:
    url, admin = server.url, bearer(admin_key(server))
    project = httpx.post(f"{url}/api/projects", json={"name": "pings"}, headers=admin).json()["id"]
    run = httpx.post(f"{url}/api/projects/{project}/runs", json={"id": "ping1"}, headers=admin).json()["id"]
    for _ in range(3):
        assert httpx.post(f"{url}/api/runs/{run}/heartbeat", headers=admin).status_code == 200
    assert httpx.post(f"{url}/api/runs/{run}/heartbeat").status_code == 401
    entries = httpx.get(
        f"{url}/api/audit", params={"action": "POST /api/runs/{run_id}/heartbeat"}, headers=admin
    ).json()["items"]
    assert [e["status"] for e in entries] == [401]


def test_open_sign_up_on_every_interface_is_warned_about_at_start(tmp_path: Path) -> None:
    env = {"WANLLMDB_OPEN_SIGNUP": "true", "WANLLMDB_HOST": "0.0.0.0"}
    server = start_local_server(tmp_path / "data", env=env)
    try:
        made = httpx.post(
            f"{server.url}/api/auth/register", json={"username": "eve", "password": "12345678x"}
        )
        assert made.status_code == 201
        assert "WARNING: open sign-up is on (WANLLMDB_OPEN_SIGNUP=true)" in server.log()
        assert "every interface" in server.log()
    finally:
        server.stop()
