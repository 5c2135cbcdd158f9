"""Permission matrix rows of sweeps (docs/sweeps.md): a sweep is read by its project's readers (anyone,
for a public project), created, changed and worked on by agents of its writers, deleted by those who
may delete runs. Outsiders are told it does not exist."""

from __future__ import annotations

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.sweeps.controller import Controller
from wanllmdb_functions.sweeps.models import AgentCreate, SweepCreate
from wanllmdb_functions.sweeps.service import SweepService

from . import PROJECT_CASES, PUBLIC_READ, WRITERS, Call, Ctx, Prepare, Row, project_rule

CONFIG = {"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": {"min": 0.001, "max": 0.1}}}


def _state(ctx: Ctx) -> AppState:
    return ctx.client.app.state.wl  # type: ignore[attr-defined, no-any-return]


def _fresh_sweep(ctx: Ctx, case: str) -> str:
    """A new running sweep in the case's project, created by its owner."""
    body = SweepCreate(config=CONFIG)
    return SweepService.of(_state(ctx)).create(ctx.tenant.caller("owner"), ctx.project_id(case), body).id


def _sweep_call(suffix: str = "", *, json: object = None) -> Prepare:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        return Call(f"/api/sweeps/{_fresh_sweep(ctx, case)}{suffix}", json=json)

    return prepare


def _heartbeat(ctx: Ctx, actor: str | None, case: str) -> Call:
    sweep_id = _fresh_sweep(ctx, case)
    agent = Controller.of(_state(ctx)).register(
        ctx.tenant.caller("owner"), sweep_id, AgentCreate(host="tour")
    )
    return Call(f"/api/sweeps/{sweep_id}/agents/{agent.id}/heartbeat", json={"want_work": True})


WRITE = project_rule(WRITERS)

ROWS = [
    Row(
        "POST",
        "/api/projects/{project_id}/sweeps",
        project_rule(WRITERS, 201),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/sweeps", json={"config": CONFIG}),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/sweeps",
        PUBLIC_READ,
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/sweeps"),
        cases=PROJECT_CASES,
    ),
    Row("GET", "/api/sweeps/{sweep_id}", PUBLIC_READ, _sweep_call(), cases=PROJECT_CASES),
    Row("PATCH", "/api/sweeps/{sweep_id}", WRITE, _sweep_call(json={"state": "paused"}), cases=PROJECT_CASES),
    Row("DELETE", "/api/sweeps/{sweep_id}", project_rule(WRITERS, 204), _sweep_call(), cases=PROJECT_CASES),
    Row("GET", "/api/sweeps/{sweep_id}/runs", PUBLIC_READ, _sweep_call("/runs"), cases=PROJECT_CASES),
    Row("GET", "/api/sweeps/{sweep_id}/agents", PUBLIC_READ, _sweep_call("/agents"), cases=PROJECT_CASES),
    Row(
        "POST",
        "/api/sweeps/{sweep_id}/agents",
        project_rule(WRITERS, 201),
        _sweep_call("/agents", json={"host": "tour"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/sweeps/{sweep_id}/agents/{agent_id}/heartbeat",
        WRITE,
        _heartbeat,
        cases=PROJECT_CASES,
    ),
]
