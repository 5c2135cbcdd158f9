"""The sweeps API (docs/sweeps.md, "Routes"): parse, call the service or the controller, shape answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response, status

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep, ReaderDep
from ..projects.deps import ProjectIdDep, ReadableProjectIdDep
from .controller import Controller
from .models import (
    Agent,
    AgentBeat,
    AgentCommands,
    AgentCreate,
    AgentList,
    Sweep,
    SweepCreate,
    SweepList,
    SweepPatch,
    TrialList,
)
from .paths import AgentIdPath, SweepIdPath
from .service import SweepService

__all__ = ["router"]

router = ServiceRouter(tags=["sweeps"])


async def sweep_service(state: AppStateDep) -> SweepService:
    return SweepService.of(state)


async def controller(state: AppStateDep) -> Controller:
    return Controller.of(state)


SweepsDep = Annotated[SweepService, Depends(sweep_service)]
ControllerDep = Annotated[Controller, Depends(controller)]
SWEEP = "/sweeps/{sweep_id}"


@router.post("/projects/{project_id}/sweeps", status_code=status.HTTP_201_CREATED)
def create_sweep(project_id: ProjectIdDep, body: SweepCreate, caller: CallerDep, sweeps: SweepsDep) -> Sweep:
    """Create a sweep from wandb's sweep config; a config error names its YAML path in `field`."""
    return sweeps.create(caller, project_id, body)


@router.get("/projects/{project_id}/sweeps")
def list_sweeps(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    sweeps: SweepsDep,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
) -> SweepList:
    """The project's sweeps, newest first."""
    return sweeps.listing(caller, project_id, limit=per_page, cursor=cursor)


@router.get(SWEEP)
def get_sweep(sweep_id: SweepIdPath, caller: ReaderDep, sweeps: SweepsDep) -> Sweep:
    return sweeps.get(caller, sweep_id)


@router.patch(SWEEP)
def update_sweep(sweep_id: SweepIdPath, body: SweepPatch, caller: CallerDep, sweeps: SweepsDep) -> Sweep:
    """Pause, resume (`running`), stop (`finished`) or cancel (`cancelled`); rename or describe."""
    return sweeps.patch(caller, sweep_id, body)


@router.delete(SWEEP, status_code=status.HTTP_204_NO_CONTENT)
def delete_sweep(sweep_id: SweepIdPath, caller: CallerDep, sweeps: SweepsDep) -> Response:
    """Delete the sweep (its runs stay); its agents exit at their next heartbeat."""
    sweeps.delete(caller, sweep_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{SWEEP}/runs")
def list_trials(sweep_id: SweepIdPath, caller: ReaderDep, sweeps: SweepsDep) -> TrialList:
    """The sweep's trials in hand-out order: params, state, and the metric value the search uses."""
    return sweeps.trials(caller, sweep_id)


@router.get(f"{SWEEP}/agents")
def list_agents(sweep_id: SweepIdPath, caller: ReaderDep, sweeps: SweepsDep) -> AgentList:
    return sweeps.agents(caller, sweep_id)


@router.post(f"{SWEEP}/agents", status_code=status.HTTP_201_CREATED)
def register_agent(sweep_id: SweepIdPath, body: AgentCreate, caller: CallerDep, ctl: ControllerDep) -> Agent:
    return ctl.register(caller, sweep_id, body)


@router.post(f"{SWEEP}/agents/{{agent_id}}/heartbeat")
def agent_heartbeat(
    sweep_id: SweepIdPath, agent_id: AgentIdPath, body: AgentBeat, caller: CallerDep, ctl: ControllerDep
) -> AgentCommands:
    """One controller step: record the agent's reports, settle trials, and answer with commands
    (`run` a trial, `stop` one, `exit`)."""
    return ctl.heartbeat(caller, sweep_id, agent_id, body)
