"""`entity:name` wherever a route takes a project id, over real HTTP against a real `wanllmdb server`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LocalServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def admin(module_server: LocalServer) -> Iterator[httpx.Client]:
    key = (module_server.data_dir / "admin-api-key").read_text().strip()
    with httpx.Client(base_url=module_server.url, headers={"Authorization": f"Bearer {key}"}) as http:
        yield http


@pytest.fixture(scope="module")
def project_id(admin: httpx.Client) -> str:
    created = admin.post("/api/projects", json={"name": "newcomer"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_entity_colon_name_is_the_project(admin: httpx.Client, project_id: str) -> None:
    got = admin.get("/api/projects/admin:newcomer")
    assert got.status_code == 200, got.text
    assert got.json()["id"] == project_id
    # The README's curl example: create a run and list runs by name, no id needed.
    run = admin.post("/api/projects/admin:newcomer/runs", json={"id": "byname1", "name": "by-name"})
    assert run.status_code == 201, run.text
    assert run.json()["project_id"] == project_id
    listed = admin.get("/api/projects/admin:newcomer/runs")
    assert listed.status_code == 200, listed.text
    assert [r["name"] for r in listed.json()["items"]] == ["by-name"]
    assert admin.get("/api/projects/admin:newcomer/views").status_code == 200
    assert admin.get(f"/api/projects/{project_id}").json()["name"] == "newcomer"


def test_an_unknown_name_is_a_404_naming_it(admin: httpx.Client, project_id: str) -> None:
    missing = admin.get("/api/projects/admin:nobody-here/runs")
    assert missing.status_code == 404
    assert "admin/nobody-here" in missing.json()["error"]["message"]


def test_a_malformed_reference_is_a_422(admin: httpx.Client) -> None:
    assert admin.get("/api/projects/admin:bad:name").status_code == 422
    assert admin.get("/api/projects/Admin:x").status_code == 422  # entity names are lowercase


def test_a_hidden_project_by_name_looks_absent_and_never_shows_its_id(
    module_server: LocalServer, admin: httpx.Client, project_id: str
) -> None:
    invitation = admin.post("/api/invitations", json={}).json()["token"]
    reg = httpx.post(
        f"{module_server.url}/api/auth/register",
        json={"username": "outsider", "password": "outsider-password-1", "invitation": invitation},
    )
    assert reg.status_code in (200, 201), reg.text
    token = httpx.post(
        f"{module_server.url}/api/auth/login",
        json={"username": "outsider", "password": "outsider-password-1"},
    ).json()["token"]
    hidden = httpx.get(
        f"{module_server.url}/api/projects/admin:newcomer/runs", headers={"Authorization": f"Bearer {token}"}
    )
    assert hidden.status_code == 404, hidden.text
    assert project_id not in hidden.text
