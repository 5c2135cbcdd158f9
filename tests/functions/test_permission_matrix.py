"""Every mounted /api route x actor x ownership case gets exactly the status its row promises.

Rows live in tests/functions/matrix_rows/<service>.py. A route without a row fails this test, so
no endpoint ships without a decision about who may call it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest

from wanllmdb_functions.identity.orgs import OrgService

from . import matrix_rows
from .actors import tenant_app
from .matrix_rows import ACTORS, Ctx, Row, send
from .routes_of_app import mounted_api_routes


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.iter_modules(matrix_rows.__path__):
        rows += importlib.import_module(f"{matrix_rows.__name__}.{module.name}").ROWS
    return rows


ROWS = all_rows()

# Every route for every actor and case: ~50 s on one worker, most of the fast tier's wall time, so
# it runs in `make test` (and alone: pytest tests/functions/test_permission_matrix.py).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    with tenant_app(tmp_path_factory.mktemp("matrix") / "data") as (client, tenant, _):
        orgs = OrgService(tenant.items)
        orgs.create_team(tenant.caller("owner"), "acme", "ml")
        orgs.set_member(tenant.caller("owner"), "ml", "member", "member")
        orgs.set_member(tenant.caller("owner"), "ml", "viewer", "viewer")
        yield Ctx(tenant, client)


def test_every_mounted_route_has_a_row_and_every_row_a_route(ctx: Ctx) -> None:
    mounted = mounted_api_routes(ctx.client.app)  # type: ignore[arg-type]
    covered = {(row.method, row.path) for row in ROWS}
    assert len(covered) == len(ROWS), "two rows for one route: merge them"
    missing = sorted(mounted - covered)
    assert not missing, (
        f"routes without a permission-matrix row (add them in tests/functions/matrix_rows/): {missing}"
    )
    stale = sorted(covered - mounted)
    assert not stale, f"rows for routes that are not mounted: {stale}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.path}" for r in ROWS])
def test_route_answers_each_actor_as_the_matrix_says(ctx: Ctx, row: Row) -> None:
    failures: list[str] = []
    for case in row.cases:
        for actor in ACTORS:
            call, response = send(ctx, row, actor, case)
            expected = row.expect(actor, case)
            if response.status_code != expected:
                who = actor or "anonymous"
                failures.append(f"{who} / {case}: {response.status_code} != {expected} {response.text[:160]}")
            elif response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "field"}
                project_id = ctx.tenant.projects.get(case)
                sent = f"{call.path} {call.params} {call.json}"
                if response.status_code == 404 and project_id and project_id not in sent:
                    # Reached through a run or other id: a hidden project must stay unnamed.
                    assert project_id not in response.text, f"{actor} / {case}: {response.text}"
    assert not failures, "\n".join(failures)


def test_route_enumeration_sees_a_newly_added_route(ctx: Ctx) -> None:
    # The guard above is only as good as this enumeration: a route added later must show up in it.
    from fastapi import APIRouter

    from wanllmdb_functions.apps import create_app

    extra = APIRouter()

    @extra.delete("/projects/{project_id}/widgets/{widget}")
    def drop_widget(project_id: str, widget: str) -> None: ...

    app = create_app([extra])
    assert ("DELETE", "/api/projects/{project_id}/widgets/{widget}") in mounted_api_routes(app)
    assert ("DELETE", "/api/projects/{project_id}/widgets/{widget}") not in {(r.method, r.path) for r in ROWS}
