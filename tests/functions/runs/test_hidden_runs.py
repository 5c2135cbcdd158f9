"""A run the caller may not see answers exactly like a run that does not exist, over HTTP.

Bodies are compared byte for byte once the one id the caller sent is blanked out, so a message
that names the private project (or anything else the caller did not send) fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from ..actors import Tenant, tenant_app

SECRET = "secret-run"  # a run in the owner's private project
MISSING = "no-such-run"


@dataclass
class Site:
    client: TestClient
    tenant: Tenant
    private_project: str

    def as_outsider(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        return self.client.request(method, path, headers=self.tenant.headers("outsider"), **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with tenant_app(tmp_path_factory.mktemp("hidden-runs") / "data") as (client, tenant, state):
        private = tenant.projects["personal-private"]
        RunService.of(state).create(tenant.caller("owner"), private, RunCreate(id=SECRET))
        yield Site(client, tenant, private)


def blanked(response: httpx.Response, sent_id: str) -> tuple[int, bytes]:
    return response.status_code, response.content.replace(sent_id.encode(), b"<id>")


RUN_ROUTES = [
    ("GET", "/api/runs/{id}", None),
    ("PATCH", "/api/runs/{id}", {"name": "mine now"}),
    ("DELETE", "/api/runs/{id}", None),
    ("POST", "/api/runs/{id}/restore", None),
    ("PATCH", "/api/runs/{id}/config", {"config": {"lr": 1}}),
    ("PATCH", "/api/runs/{id}/summary", {"summary": {"loss": 1}}),
    ("POST", "/api/runs/{id}/heartbeat", None),
    ("GET", "/api/runs/{id}/config/history", None),
    (
        "POST",
        "/api/runs/{id}/uploads",
        {"items": [{"kind": "file", "size": 1, "sha256": "a" * 64, "path": "f"}]},
    ),
    ("GET", "/api/runs/{id}/metric-keys", None),
    ("GET", "/api/runs/{id}/files", None),
]


@pytest.mark.parametrize(
    ("method", "template", "body"), RUN_ROUTES, ids=[f"{m} {t}" for m, t, _ in RUN_ROUTES]
)
def test_a_hidden_run_and_a_missing_run_get_the_same_404(
    site: Site, method: str, template: str, body: object
) -> None:
    hidden = site.as_outsider(method, template.format(id=SECRET), json=body)
    missing = site.as_outsider(method, template.format(id=MISSING), json=body)
    assert hidden.status_code == 404, hidden.text
    assert blanked(hidden, SECRET) == blanked(missing, MISSING)
    assert site.private_project not in hidden.text


def test_config_diff_of_a_hidden_run_is_the_404_of_a_missing_one(site: Site) -> None:
    hidden = site.as_outsider("GET", "/api/runs/config-diff", params={"a": SECRET, "b": SECRET})
    missing = site.as_outsider("GET", "/api/runs/config-diff", params={"a": MISSING, "b": MISSING})
    assert hidden.status_code == 404 and hidden.json()["error"]["field"] == "a"
    assert blanked(hidden, SECRET) == blanked(missing, MISSING)


def test_the_owner_still_reads_the_run(site: Site) -> None:
    response = site.client.get(f"/api/runs/{SECRET}", headers=site.tenant.headers("owner"))
    assert response.status_code == 200 and response.json()["project_id"] == site.private_project
