"""Project automations: /projects/{project_id}/automations (project writers create and delete,
readers list). Evaluation happens on the run hooks, not here (automations.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Response, status

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep
from ..projects.deps import ProjectIdDep
from .automations import AutomationService
from .models import Automation, AutomationCreate, AutomationList
from .wiring import automation_service, require_delivery

__all__ = ["router"]

router = ServiceRouter(tags=["notifications"])


async def service(state: AppStateDep) -> AutomationService:
    return automation_service(state)


AutomationsDep = Annotated[AutomationService, Depends(service)]
AutomationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


@router.post("/projects/{project_id}/automations", status_code=status.HTTP_201_CREATED)
def create_automation(
    project_id: ProjectIdDep,
    body: AutomationCreate,
    caller: CallerDep,
    svc: AutomationsDep,
    state: AppStateDep,
) -> Automation:
    """When a run crashes, or a summary metric crosses a threshold, tell the creator once per run."""
    if body.channel.type != "in_app":
        require_delivery(state, "channel.type", email=body.channel.type == "email")
    return svc.create(caller, project_id, body)


@router.get("/projects/{project_id}/automations")
def list_automations(project_id: ProjectIdDep, caller: CallerDep, svc: AutomationsDep) -> AutomationList:
    return AutomationList(automations=svc.of_project(caller, project_id))


@router.delete("/projects/{project_id}/automations/{automation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_automation(
    project_id: ProjectIdDep, automation_id: AutomationId, caller: CallerDep, svc: AutomationsDep
) -> Response:
    svc.delete(caller, project_id, automation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
