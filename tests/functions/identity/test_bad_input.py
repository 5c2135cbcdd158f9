"""Bad input at the identity routes: a 4xx naming the field, the common error body, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wanllmdb_functions.app.state import MAX_REQUEST_BYTES
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.local_server import build_local_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("bad-input") / "data"
    app = build_local_app(Settings(data_dir=data_dir, web_dist=data_dir / "no-web"), owns_process=False)
    with TestClient(app) as test_client:
        key = (data_dir / "admin-api-key").read_text().strip()
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    return dict(body["error"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 129}, "name"),
        ({"name": "../etc"}, "name"),
        ({"name": "a/b"}, "name"),
        ({"name": "ok\x00"}, "name"),
        ({"name": "ok", "visibility": "secret"}, "visibility"),
        ({"name": "ok", "tags": "not-a-list"}, "tags"),
        ({"name": "ok", "tags": ["t"] * 65}, "tags"),
        ({"name": "ok", "entity": "UPPER"}, "entity"),
        ({"name": "ok", "unknown": 1}, "unknown"),
        ({"name": 5}, "name"),
        ({}, "name"),
    ],
)
def test_invalid_project_bodies_name_the_field_and_store_nothing(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    before = client.get("/api/projects").json()["items"]
    error = error_of(client.post("/api/projects", json=body), 422)
    assert error["field"] == field and error["code"] == "invalid"
    assert client.get("/api/projects").json()["items"] == before


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/projects", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert error_of(response, 422)["code"] == "invalid"


def test_declared_huge_body_is_refused_before_it_is_read(client: TestClient) -> None:
    body = b'{"name": "' + b"x" * (MAX_REQUEST_BYTES + 1) + b'"}'
    response = client.post("/api/projects", content=body, headers={"content-type": "application/json"})
    error = error_of(response, 413)
    assert (error["code"], error["field"]) == ("too_large", "Content-Length")


def test_streamed_huge_body_is_refused_too(client: TestClient) -> None:
    chunks = (b"x" * (256 << 10) for _ in range(MAX_REQUEST_BYTES // (256 << 10) + 2))
    response = client.post("/api/projects", content=chunks, headers={"content-type": "application/json"})
    assert error_of(response, 413)["code"] == "too_large"


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/api/projects/NOT-AN-ID", "project_id"),
        ("DELETE", "/api/keys/..%2F..%2Fetc", None),
        ("DELETE", "/api/keys/not-hex", "key_id"),
        ("GET", "/api/orgs/Bad%20Org", "org"),
        ("GET", "/api/projects?limit=0", "limit"),
        ("GET", "/api/audit?since=yesterday", "since"),
        ("GET", "/api/audit?cursor=garbage", "cursor"),
    ],
)
def test_bad_path_and_query_parameters_name_the_field(
    client: TestClient, method: str, path: str, field: str | None
) -> None:
    response = client.request(method, path)
    assert response.status_code in (400, 404, 422), response.text
    assert error_of(response, response.status_code)["field"] == field


def test_role_with_a_tenant_permission_or_unknown_permission_is_refused(client: TestClient) -> None:
    error = error_of(client.post("/api/roles", json={"name": "sneaky", "permissions": ["audit:read"]}), 422)
    assert error["field"] == "permissions" and "tenant admins" in error["message"]
    error = error_of(client.post("/api/roles", json={"name": "typo", "permissions": ["run:reed"]}), 422)
    assert error["field"] == "permissions.0"


def test_repeated_failed_logins_are_throttled_per_username(client: TestClient) -> None:
    key = client.headers["Authorization"].removeprefix("Bearer ")
    anonymous = {"Authorization": ""}
    for _ in range(10):
        wrong = client.post(
            "/api/auth/login", json={"username": "admin", "password": "wl_0_guess"}, headers=anonymous
        )
        assert wrong.status_code == 401
    # Even the right secret is refused until the window passes; other usernames are unaffected.
    throttled = client.post("/api/auth/login", json={"username": "admin", "password": key}, headers=anonymous)
    assert error_of(throttled, 429)["field"] == "username"
    other = client.post(
        "/api/auth/login", json={"username": "someone", "password": "wl_0_guess"}, headers=anonymous
    )
    assert other.status_code == 401


@pytest.mark.parametrize("bad", ["bell\x07", "rtl\u202eoverride", "isolate\u2067x"])
def test_project_tags_refuse_control_and_direction_characters(client: TestClient, bad: str) -> None:
    error = error_of(client.post("/api/projects", json={"name": "tagged", "tags": [bad]}), 422)
    assert error["field"].startswith("tags") and "U+" in error["message"]
