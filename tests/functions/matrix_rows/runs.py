"""Permission matrix rows of the runs service: lifecycle, config, summary, heartbeat, listing, grants."""

from __future__ import annotations

import hashlib

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from . import PROJECT_CASES, PUBLIC_READ, WRITERS, Call, Ctx, Prepare, Row, project_rule

SHA = hashlib.sha256(b"abc").hexdigest()


def _fresh_run(ctx: Ctx, case: str, **body: object) -> str:
    """A new running run in the case's project, created by its owner."""
    state: AppState = ctx.client.app.state.wl  # type: ignore[attr-defined]
    runs = RunService.of(state)
    run_id = ctx.unique("run")
    runs.create(ctx.tenant.caller("owner"), ctx.project_id(case), RunCreate(id=run_id, **body))
    return run_id


def _run_call(suffix: str = "", *, json: object = None) -> Prepare:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        return Call(f"/api/runs/{_fresh_run(ctx, case, config={'lr': 0.1})}{suffix}", json=json)

    return prepare


def _diff(ctx: Ctx, actor: str | None, case: str) -> Call:
    a, b = (_fresh_run(ctx, case, config={"lr": lr}) for lr in (0.1, 0.2))
    return Call("/api/runs/config-diff", params={"a": a, "b": b})


READ = PUBLIC_READ
WRITE = project_rule(WRITERS)

ROWS = [
    Row(
        "POST",
        "/api/projects/{project_id}/runs",
        project_rule(WRITERS, 201),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/runs", json={"id": ctx.unique("new")}),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/runs",
        READ,
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/runs", params={"order": "-config.lr"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/runs/groups",
        READ,
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/runs/groups", params={"by": "config.lr"}),
        cases=PROJECT_CASES,
    ),
    Row("GET", "/api/runs/config-diff", READ, _diff, cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}", READ, _run_call(), cases=PROJECT_CASES),
    Row("PATCH", "/api/runs/{run_id}", WRITE, _run_call(json={"name": "x"}), cases=PROJECT_CASES),
    Row(
        "PATCH",
        "/api/runs/{run_id}/config",
        WRITE,
        _run_call("/config", json={"config": {"epochs": 3}}),
        cases=PROJECT_CASES,
    ),
    Row("GET", "/api/runs/{run_id}/config/history", READ, _run_call("/config/history"), cases=PROJECT_CASES),
    Row(
        "PATCH",
        "/api/runs/{run_id}/summary",
        WRITE,
        _run_call("/summary", json={"summary": {"loss": 0.1}}),
        cases=PROJECT_CASES,
    ),
    Row("POST", "/api/runs/{run_id}/heartbeat", WRITE, _run_call("/heartbeat"), cases=PROJECT_CASES),
    Row(
        "POST",
        "/api/runs/{run_id}/uploads",
        WRITE,
        _run_call("/uploads", json={"items": [{"kind": "file", "size": 3, "sha256": SHA, "path": "a.txt"}]}),
        cases=PROJECT_CASES,
    ),
]
