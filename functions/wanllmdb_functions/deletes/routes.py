"""Deleting and restoring projects and teams (docs/deletes.md): served with the identity routes."""

from __future__ import annotations

from fastapi import status

from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep
from ..identity.models import EntityName
from ..projects.deps import ProjectIdDep
from .deps import GONE, DeletesDep
from .models import Deletion

__all__ = ["router"]

router = ServiceRouter()


@router.delete("/projects/{project_id}", status_code=status.HTTP_202_ACCEPTED, tags=["projects"])
def delete_project(project_id: ProjectIdDep, caller: CallerDep, deletes: DeletesDep) -> Deletion:
    """Hide the project with its runs, views and artifacts (project admins); purged after the grace
    period unless restored first. A retry answers with the same deletion."""
    return deletes.delete_project(caller, project_id)


@router.post("/projects/{project_id}/restore", responses=GONE, tags=["projects"])
def restore_project(project_id: ProjectIdDep, caller: CallerDep, deletes: DeletesDep) -> Deletion:
    """Undo the project's deletion within its grace period (by id: its name is free meanwhile)."""
    return deletes.restore_project(caller, project_id)


@router.delete("/teams/{team}", status_code=status.HTTP_202_ACCEPTED, tags=["organizations"])
def delete_team(team: EntityName, caller: CallerDep, deletes: DeletesDep) -> Deletion:
    """Hide the team, its memberships and its projects (organization admins)."""
    return deletes.delete_team(caller, team)


@router.post("/teams/{team}/restore", responses=GONE, tags=["organizations"])
def restore_team(team: EntityName, caller: CallerDep, deletes: DeletesDep) -> Deletion:
    """Undo the team's deletion, its projects' included, within the grace period."""
    return deletes.restore_team(caller, team)
