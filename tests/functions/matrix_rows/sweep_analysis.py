"""Permission matrix row of a sweep's analysis: whoever may read the sweep's project may read it."""

from __future__ import annotations

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.sweeps.models import SweepCreate
from wanllmdb_functions.sweeps.service import SweepService

from . import PROJECT_CASES, PUBLIC_READ, Call, Ctx, Row

CONFIG = {
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1}},
}


def _analysis_of_new_sweep(ctx: Ctx, case: str) -> Call:
    state: AppState = ctx.client.app.state.wl  # type: ignore[attr-defined]
    sweep = SweepService.of(state).create(
        ctx.tenant.caller("owner"), ctx.project_id(case), SweepCreate(config=CONFIG)
    )
    return Call(f"/api/sweeps/{sweep.id}/analysis")


ROWS = [
    Row(
        "GET",
        "/api/sweeps/{sweep_id}/analysis",
        PUBLIC_READ,
        lambda ctx, a, c: _analysis_of_new_sweep(ctx, c),
        cases=PROJECT_CASES,
    ),
]
