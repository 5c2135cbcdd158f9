"""Saved-view routes: parse, call ViewService, shape the response."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response, status

from ..app.deps import StorageDep
from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep, ReaderDep
from ..projects.deps import ProjectIdDep, ReadableProjectIdDep
from .models import SavedView, ViewList, ViewName, ViewSave
from .service import ViewService

__all__ = ["router"]

router = ServiceRouter(tags=["views"])


async def view_service(storage: StorageDep) -> ViewService:
    return ViewService(storage.items)


ViewsDep = Annotated[ViewService, Depends(view_service)]


@router.get("/projects/{project_id}/views")
def list_views(project_id: ReadableProjectIdDep, caller: ReaderDep, views: ViewsDep) -> ViewList:
    return views.list_views(caller, project_id)


@router.get("/projects/{project_id}/views/{name}")
def get_view(
    project_id: ReadableProjectIdDep, name: ViewName, caller: ReaderDep, views: ViewsDep
) -> SavedView:
    return views.get(caller, project_id, name)


@router.put(
    "/projects/{project_id}/views/{name}",
    responses={201: {"model": SavedView, "description": "the view was created"}},
)
def save_view(
    project_id: ProjectIdDep,
    name: ViewName,
    body: ViewSave,
    caller: CallerDep,
    views: ViewsDep,
    response: Response,
) -> SavedView:
    view, created = views.save(caller, project_id, name, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return view


@router.delete("/projects/{project_id}/views/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_view(project_id: ProjectIdDep, name: ViewName, caller: CallerDep, views: ViewsDep) -> Response:
    views.delete(caller, project_id, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
