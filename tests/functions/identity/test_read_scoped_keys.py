"""A read-scoped API key over the whole local app: it reads (POST queries included), and it never writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from wanllmdb_functions.identity.authn import READ_ONLY_POSTS
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.models import ApiKeyCreate
from wanllmdb_functions.identity.users import UserService

from ..actors import USERNAMES, Tenant, tenant_app
from ..routes_of_app import mounted_api_routes


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Tenant, dict[str, str]]]:
    with tenant_app(tmp_path_factory.mktemp("read-keys") / "data") as (client, tenant, _):
        owner = UserService(tenant.items).require_by_name(USERNAMES["owner"])
        spec = ApiKeyCreate(name="dashboard", scope="read")
        key = CredentialService(tenant.items, session_ttl_s=60).create_key(owner["id"], spec).key
        yield client, tenant, {"Authorization": f"Bearer {key}"}


def test_every_read_only_post_is_a_mounted_post_route(app: tuple[TestClient, Tenant, dict[str, str]]) -> None:
    client, _, _ = app
    mounted = mounted_api_routes(client.app)  # type: ignore[arg-type]
    assert {("POST", f"/api{path}") for path in READ_ONLY_POSTS} <= mounted


def test_a_read_scoped_key_reads_and_runs_queries(app: tuple[TestClient, Tenant, dict[str, str]]) -> None:
    client, tenant, reader = app
    project = tenant.projects["personal-private"]
    assert client.get(f"/api/projects/{project}", headers=reader).status_code == 200
    queried = client.post("/api/sql", json={"query": "select 1 as one"}, headers=reader)
    assert queried.status_code == 200, queried.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/projects", {"name": "sneaky"}),
        ("PATCH", "/api/projects/{project}", {"description": "defaced"}),
        ("POST", "/api/keys", {"name": "escalate", "scope": "all"}),
        ("DELETE", "/api/projects/{project}", None),
    ],
)
def test_a_read_scoped_key_is_refused_every_write_with_403(
    app: tuple[TestClient, Tenant, dict[str, str]], method: str, path: str, body: dict[str, str] | None
) -> None:
    client, tenant, reader = app
    url = path.format(project=tenant.projects["personal-private"])
    refused = client.request(method, url, json=body, headers=reader)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["field"] == "scope"
