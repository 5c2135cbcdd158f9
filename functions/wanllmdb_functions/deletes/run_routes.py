"""Deleting and restoring a run (docs/deletes.md): served with the runs routes."""

from __future__ import annotations

from fastapi import status

from ..app.routing import ServiceRouter
from ..core.ids import RunId
from ..identity.authn import CallerDep
from ..runs.models import RunProject
from .deps import GONE, DeletesDep
from .models import Deletion

__all__ = ["router"]

router = ServiceRouter(tags=["runs"])


@router.delete("/runs/{run_id}", status_code=status.HTTP_202_ACCEPTED)
def delete_run(
    run_id: RunId, caller: CallerDep, deletes: DeletesDep, project_id: RunProject = None
) -> Deletion:
    """Hide the run at once (404 on reads, out of listings); its data is purged after the grace
    period unless it is restored first. A retry answers with the same deletion."""
    return deletes.delete_run(caller, run_id, project_id=project_id)


@router.post("/runs/{run_id}/restore", responses=GONE)
def restore_run(
    run_id: RunId, caller: CallerDep, deletes: DeletesDep, project_id: RunProject = None
) -> Deletion:
    """Undo the run's deletion within its grace period (410 once it was purged)."""
    return deletes.restore_run(caller, run_id, project_id=project_id)
