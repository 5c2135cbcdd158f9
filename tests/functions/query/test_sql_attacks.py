"""`POST /api/sql` over HTTP on both backends: every bypass attempt gets 400 (or 401/403), never data.

The caller is a user with no membership anywhere (the reported attacker), then a project owner. The
secret each attack tries to read is a file the server process can read: on the local backend its own
admin API key and URL-signing secret, on the aws backend (moto) a marker file beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import moto_server
from tests.functions.actors import Tenant, tenant_app
from tests.functions.query.sql_attacks import ATTACKS
from tests.lake_chunks import put_chunk
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

pytestmark = pytest.mark.slow

MARKER = "wl-secret-marker-7f3a"


@dataclass
class Site:
    client: TestClient
    tenant: Tenant
    secrets: list[Path]  # files no query may read
    markers: list[str]  # text that must never appear in an answer

    def sql(self, actor: str | None, query: str) -> tuple[int, str]:
        response = self.client.post("/api/sql", json={"query": query}, headers=self.tenant.headers(actor))
        return response.status_code, response.text


def _site(app_settings: Settings, data_dir: Path) -> Iterator[Site]:
    with tenant_app(data_dir, app_settings) as (client, tenant, state):
        project = tenant.projects["personal-private"]
        RunService.of(state).create(tenant.caller("owner"), project, RunCreate(id="r1"))
        put_chunk(
            state.storage.blobs, project, "r1", seq=0, steps=[0, 1, 2], values={"loss": [3.0, 2.0, 1.0]}
        )
        marker = data_dir / "marker.csv"
        marker.write_text(f"{MARKER}\n{MARKER}\n")
        secrets = [marker]
        markers = [MARKER]
        for name in ("admin-api-key",):
            if (data_dir / name).exists():
                secrets.append(data_dir / name)
                markers.append((data_dir / name).read_text().strip())
        yield Site(client, tenant, secrets, markers)


@pytest.fixture(scope="module", params=["local", "aws"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp(f"sql-{request.param}") / "data"
    data_dir.mkdir(parents=True)
    web = data_dir / "no-web"
    if request.param == "local":
        yield from _site(Settings(data_dir=data_dir, web_dist=web), data_dir)
        return
    # A real moto server: Polars reads s3:// itself, past boto3.
    with moto_server() as endpoint:
        DynamoItemStore("wl-sql", region="us-east-1", endpoint_url=endpoint).create_table()
        S3BlobStore("wl-sql-lake", region="us-east-1", endpoint_url=endpoint).create_bucket()
        settings = Settings(
            backend="aws", table="wl-sql", bucket="wl-sql-lake", data_dir=data_dir, web_dist=web,
            dynamodb_endpoint_url=endpoint, s3_endpoint_url=endpoint,
        )  # fmt: skip
        yield from _site(settings, data_dir)


def _attacks(site: Site) -> list[str]:
    return [attack.format(secret=secret) for attack in ATTACKS for secret in site.secrets]


@pytest.mark.parametrize("actor", ["outsider", "owner"])
def test_no_bypass_attempt_gets_data(site: Site, actor: str) -> None:
    leaks = []
    for attack in _attacks(site):
        status, text = site.sql(actor, attack)
        if status not in (400, 403) or any(marker in text for marker in site.markers):
            leaks.append(f"{status} {attack!r}: {text[:200]}")
    assert not leaks, "\n".join(leaks)


def test_anonymous_callers_are_refused_before_parsing(site: Site) -> None:
    status, _ = site.sql(None, ATTACKS[0].format(secret=site.secrets[0]))
    assert status == 401


@pytest.mark.parametrize(
    "query",
    [
        "SELECT no_such_column FROM metrics",
        "SELECT CAST('not a number' AS INTEGER) AS n FROM metrics",
        "SELECT * FROM metrics m JOIN runs r USING (no_such_column)",
        "SELECT key FROM metrics GROUP BY nope",
        "SELECT step FROM metrics ORDER BY 99",
    ],
)
def test_engine_errors_from_valid_looking_sql_are_400_naming_the_query(site: Site, query: str) -> None:
    response = site.client.post("/api/sql", json={"query": query}, headers=site.tenant.headers("owner"))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == "query" and error["message"].startswith("SQL error")


def test_an_over_long_query_is_refused_naming_the_query_field(site: Site) -> None:
    # The field is called "query", like the query-string location the error mapper strips.
    body = {"query": "SELECT 1 AS x " + " " * 20_000}
    response = site.client.post("/api/sql", json=body, headers=site.tenant.headers("owner"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "query"
    assert response.json()["error"]["message"].startswith("query: ")


def test_the_owner_still_reads_the_lake_and_the_outsider_sees_nothing(site: Site) -> None:
    query = (
        "SELECT r.state, max(m.value) AS peak FROM metrics m JOIN runs r ON m.run = r.run GROUP BY r.state"
    )
    owner = site.client.post("/api/sql", json={"query": query}, headers=site.tenant.headers("owner"))
    assert owner.status_code == 200, owner.text
    assert owner.json()["rows"] == [["running", 3.0]]
    outsider = site.client.post("/api/sql", json={"query": query}, headers=site.tenant.headers("outsider"))
    assert outsider.status_code == 200 and outsider.json()["rows"] == []
