"""Permission matrix rows of report collaboration (reports/collab_routes.py): on a published report
under the project's rules, its readers read the updates and say they are present, its writers append
updates; those who may not read the project are told the report does not exist. The websocket
(local server only) is not an HTTP route; tests/functions/reports/test_collab.py checks it."""

from __future__ import annotations

import base64

import pycrdt

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.reports.models import ReportCreate
from wanllmdb_functions.reports.service import ReportService

from . import PROJECT_CASES, READERS, WRITERS, Call, Ctx, Prepare, Row, project_rule


def _state(ctx: Ctx) -> AppState:
    return ctx.client.app.state.wl  # type: ignore[attr-defined, no-any-return]


def _fresh_report(ctx: Ctx, case: str) -> str:
    """A new published report in the case's project, made by its owner (project rules apply)."""
    svc = ReportService(_state(ctx).storage.items)
    owner = ctx.tenant.caller("owner")
    report, _ = svc.create(owner, ctx.project_id(case), ReportCreate(title=ctx.unique("collab")))
    svc.publish(owner, report.id)
    return report.id


def _update() -> str:
    doc: pycrdt.Doc = pycrdt.Doc()
    doc.get("text", type=pycrdt.Text).insert(0, "x")
    return base64.b64encode(doc.get_update()).decode()


def _call(suffix: str, *, json: object = None, params: dict[str, str] | None = None) -> Prepare:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        return Call(f"/api/reports/{_fresh_report(ctx, case)}/collab{suffix}", json=json, params=params)

    return prepare


BASE = "/api/reports/{report_id}/collab"
ROWS = [
    Row(
        "GET",
        f"{BASE}/updates",
        project_rule(READERS),
        _call("/updates", params={"since": "0"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        f"{BASE}/updates",
        project_rule(WRITERS),
        _call("/updates", json={"client_id": "c1", "update": _update()}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        f"{BASE}/presence",
        project_rule(READERS),
        _call("/presence", json={"client_id": "c1", "block_id": "b1"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "DELETE",
        f"{BASE}/presence/{{client_id}}",
        project_rule(READERS, 204),
        _call("/presence/c1"),
        cases=PROJECT_CASES,
    ),
]
