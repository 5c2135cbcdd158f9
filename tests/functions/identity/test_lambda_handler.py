"""The identity Lambda (Mangum) driven by real API Gateway HTTP API v2 events, on moto DynamoDB and S3."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.audit.service import AuditLog
from wanllmdb_functions.handlers import identity
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.throttle import ADDRESS_FREE_FAILURES
from wanllmdb_functions.identity.users import UserService

from ..backends import BUCKET, TABLE

SPRAYER = "192.0.2.55"
EVENT = json.loads((Path(__file__).parents[1] / "events" / "apigw_v2_identity.json").read_text())


class LambdaContext:
    function_name = "wanllmdb-identity"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def call(
    method: str,
    path: str,
    *,
    body: Any = None,
    token: str | None = None,
    query: str = "",
    source_ip: str | None = None,
    cookies: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One API Gateway HTTP API (v2) event through the handler; the raw Lambda result."""
    event = copy.deepcopy(EVENT)
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["rawQueryString"] = query
    event["body"] = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    if token:
        event["headers"]["authorization"] = f"Bearer {token}"
    if source_ip:
        event["requestContext"]["http"]["sourceIp"] = event["headers"]["x-forwarded-for"] = source_ip
    event["cookies"] = cookies or []
    event["headers"].update(headers or {})
    result: dict[str, Any] = identity.handler(event, LambdaContext())
    return result


def invoke(
    method: str, path: str, *, body: Any = None, token: str | None = None, query: str = ""
) -> tuple[int, Any]:
    result = call(method, path, body=body, token=token, query=query)
    payload = json.loads(result["body"]) if result.get("body") else None
    return result["statusCode"], payload


@pytest.fixture
def admin_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("WANLLMDB_BACKEND", "aws")
    monkeypatch.setenv("WANLLMDB_TABLE", TABLE)
    monkeypatch.setenv("WANLLMDB_BUCKET", BUCKET)
    with mock_aws():
        DynamoItemStore(TABLE, region="us-east-1").create_table()
        S3BlobStore(BUCKET, region="us-east-1").create_bucket()
        # A warm Lambda keeps its AppState; each test is a fresh cold start on a fresh table.
        identity.app.state.wl.reset()
        items = identity.app.state.wl.storage.items
        root = UserService(items).create("root", password=None, is_admin=True)
        yield CredentialService(items, session_ttl_s=60).create_key(root.id, "lambda test").key


def test_health_reports_the_aws_backend(admin_key: str) -> None:
    assert invoke("GET", "/api/health") == (200, {"status": "ok", "backend": "aws", "version": "0.1.0"})


def test_project_create_is_idempotent_and_audited_with_the_source_ip(admin_key: str) -> None:
    status, created = invoke("POST", "/api/projects", body={"name": "mnist"}, token=admin_key)
    assert status == 201 and created["entity"] == "root"
    status, again = invoke("POST", "/api/projects", body={"name": "mnist"}, token=admin_key)
    assert (status, again["id"]) == (200, created["id"])
    assert invoke("GET", f"/api/projects/{created['id']}", token=admin_key)[0] == 200
    entries = (
        AuditLog(identity.app.state.wl.storage.items, retention_days=30).list_entries(actor="root").items
    )
    assert [(e.action, e.status, e.source_ip) for e in entries][-1] == (
        "POST /api/projects",
        201,
        "203.0.113.7",
    )


def test_requests_without_a_key_are_refused_with_the_error_body(admin_key: str) -> None:
    status, body = invoke("GET", "/api/projects")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    status, body = invoke("POST", "/api/projects", body={"name": "ok"}, token="wl_0000_forged")
    assert status == 401


def test_bad_input_is_a_4xx_naming_the_field(admin_key: str) -> None:
    status, body = invoke("POST", "/api/projects", body={"name": "x" * 129}, token=admin_key)
    assert status == 422 and body["error"]["field"] == "name"
    status, body = invoke("POST", "/api/projects", body="{not json", token=admin_key)
    assert status == 422 and body["error"]["code"] == "invalid"


def test_sign_up_is_closed_unless_opened_and_an_invitation_lets_one_person_in(
    admin_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = {"username": "newbie", "password": "long enough pw"}
    status, body = invoke("POST", "/api/auth/register", body=account)
    assert status == 403 and "WANLLMDB_OPEN_SIGNUP=true" in body["error"]["message"]
    status, invitation = invoke("POST", "/api/invitations", body={}, token=admin_key)
    assert status == 201
    status, session = invoke(
        "POST", "/api/auth/register", body={**account, "invitation": invitation["token"]}
    )
    assert status == 201
    status, me = invoke("GET", "/api/auth/me", token=session["token"])
    assert (status, me["username"]) == (200, "newbie")
    again = {"username": "another", "password": "long enough pw", "invitation": invitation["token"]}
    assert invoke("POST", "/api/auth/register", body=again)[0] == 403
    monkeypatch.setenv("WANLLMDB_OPEN_SIGNUP", "true")
    identity.app.state.wl.reset()
    assert invoke("POST", "/api/auth/register", body={**again, "invitation": None})[0] == 201


def test_login_throttle_counts_the_source_ip_api_gateway_reports(admin_key: str) -> None:
    for i in range(ADDRESS_FREE_FAILURES):
        failed = call(
            "POST", "/api/auth/login", body={"username": f"v{i}", "password": "x"}, source_ip=SPRAYER
        )
        assert failed["statusCode"] == 401
    refused = call("POST", "/api/auth/login", body={"username": "v", "password": "x"}, source_ip=SPRAYER)
    assert refused["statusCode"] == 429 and int(refused["headers"]["retry-after"]) >= 1
    other = call("POST", "/api/auth/login", body={"username": "v", "password": "x"}, source_ip="198.51.100.9")
    assert other["statusCode"] == 401


def test_the_web_session_cookies_work_through_api_gateway(admin_key: str) -> None:
    root = {"username": "root", "password": admin_key, "session": "cookie"}
    login = call("POST", "/api/auth/login", body=root)
    assert login["statusCode"] == 200 and json.loads(login["body"])["token"] is None
    cookies = {c.split("=", 1)[0]: c for c in login["cookies"]}
    assert all("Secure" in c and "SameSite=strict" in c for c in cookies.values())  # https: Secure
    jar = [c.split(";", 1)[0] for c in cookies.values()]
    assert call("GET", "/api/auth/me", cookies=jar)["statusCode"] == 200
    assert call("POST", "/api/keys", body={"name": "k"}, cookies=jar)["statusCode"] == 403
    csrf = {"x-csrf-token": cookies["wl_csrf"].split(";", 1)[0].split("=", 1)[1]}
    assert call("POST", "/api/keys", body={"name": "k"}, cookies=jar, headers=csrf)["statusCode"] == 201
