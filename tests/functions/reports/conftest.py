"""Report scenarios on a real local server, on both item-store backends: SQLite (local) and DynamoDB
(the aws backend on a moto server). An organization with an admin (who owns the project), a member
and a viewer, an outsider, and a project of the organization."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer, aws_backend_env, created_aws_stores, start_local_server, unique_name
from tests.functions.query.lake_client import User, register
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService


@pytest.fixture(scope="module", params=["local", "aws"])
def report_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp(f"reports-{request.param}") / "data"
    env: dict[str, str] = {}
    if request.param == "aws":
        endpoint = request.getfixturevalue("session_moto")
        table, bucket = unique_name("wl-reports"), unique_name("wl-reports-lake")
        items, _ = created_aws_stores(endpoint, table=table, bucket=bucket)
        env = aws_backend_env(endpoint, table=table, bucket=bucket)
        # The aws backend makes no local admin: make one, where `register` looks for its key.
        admin = UserService(items).create("admin", password=None, is_admin=True)
        key = CredentialService(items, session_ttl_s=3600).create_key(admin.id, "tests").key
        data.mkdir(parents=True)
        (data / "admin-api-key").write_text(key)
    server = start_local_server(data, env=env)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Team:
    server: LocalServer
    org: str
    admin: User
    member: User
    viewer: User
    outsider: User
    project: str

    def anonymous(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.server.url}/api{path}", timeout=30, **kwargs)


def paragraph(block_id: str, text: str) -> dict[str, Any]:
    return {"id": block_id, "type": "paragraph", "text": [{"text": text}]}


def spec_of(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "blocks": list(blocks)}


def create(user: User, project: str, **body: Any) -> dict[str, Any]:
    body.setdefault("title", "Results")
    response = user.request("POST", f"/projects/{project}/reports", json=body)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def save(user: User, report: dict[str, Any], spec: dict[str, Any], **extra: Any) -> httpx.Response:
    body = {"spec": spec, "base_version": report["version"], **extra}
    return user.request("PUT", f"/reports/{report['id']}", json=body)


def published(user: User, project: str, **body: Any) -> dict[str, Any]:
    report = create(user, project, **body)
    response = user.request("POST", f"/reports/{report['id']}/publish", json={})
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def team(report_server: LocalServer) -> Team:
    admin, member, viewer, outsider = (register(report_server) for _ in range(4))
    org = f"acme{uuid.uuid4().hex[:6]}"
    assert admin.request("POST", "/orgs", json={"name": org}).status_code == 201
    for user, role in ((member, "member"), (viewer, "viewer")):
        added = admin.request("POST", f"/orgs/{org}/members", json={"username": user.username, "role": role})
        assert added.status_code in (200, 201), added.text
    return Team(report_server, org, admin, member, viewer, outsider, admin.project(entity=org))
