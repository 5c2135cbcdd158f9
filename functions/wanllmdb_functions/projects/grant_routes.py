"""/projects/{project_id}/grants: resource-level grants, for project admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response, status

from ..app.deps import StorageDep
from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep
from .deps import ProjectIdDep
from .grants import GrantIn, GrantKind, GrantOut, GrantService

__all__ = ["router"]

router = ServiceRouter(tags=["projects"])


async def grant_service(storage: StorageDep) -> GrantService:
    return GrantService(storage.items)


GrantsDep = Annotated[GrantService, Depends(grant_service)]


@router.get("/projects/{project_id}/grants")
def list_grants(project_id: ProjectIdDep, caller: CallerDep, grants: GrantsDep) -> list[GrantOut]:
    return grants.list(caller, project_id)


@router.put("/projects/{project_id}/grants")
def put_grant(project_id: ProjectIdDep, body: GrantIn, caller: CallerDep, grants: GrantsDep) -> GrantOut:
    """Give (or replace) a principal's permissions on one run, artifact collection or report."""
    return grants.put(caller, project_id, body)


@router.delete("/projects/{project_id}/grants", status_code=status.HTTP_204_NO_CONTENT)
def delete_grant(
    project_id: ProjectIdDep,
    caller: CallerDep,
    grants: GrantsDep,
    kind: GrantKind,
    resource_id: Annotated[str, Query(min_length=1, max_length=256)],
    principal: Annotated[str, Query(min_length=3, max_length=140)],
) -> Response:
    grants.delete(caller, project_id, kind, resource_id, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
