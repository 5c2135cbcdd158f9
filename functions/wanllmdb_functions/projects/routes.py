"""Project routes: parse, call ProjectService, shape the response."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep, ReaderDep
from ..identity.models import EntityName
from .deps import ProjectIdDep, ProjectsDep, ReadableProjectIdDep
from .models import Project, ProjectCreate, ProjectList, ProjectName, ProjectUpdate

router = ServiceRouter(tags=["projects"])


@router.post(
    "/projects",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": Project, "description": "the project already existed"}},
)
def create_project(
    body: ProjectCreate, caller: CallerDep, projects: ProjectsDep, response: Response
) -> Project:
    project, created = projects.create(caller, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return project


@router.get("/projects")
def list_projects(
    caller: CallerDep,
    projects: ProjectsDep,
    search: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> ProjectList:
    return projects.list_projects(caller, search=search, limit=limit, cursor=cursor)


@router.get("/projects/by-name/{entity}/{name}")
def get_project_by_name(
    entity: EntityName, name: ProjectName, caller: ReaderDep, projects: ProjectsDep
) -> Project:
    return projects.get_by_name(caller, entity, name)


@router.get("/projects/{project_id}")
def get_project(project_id: ReadableProjectIdDep, caller: ReaderDep, projects: ProjectsDep) -> Project:
    return projects.get(caller, project_id)


@router.patch("/projects/{project_id}")
def update_project(
    project_id: ProjectIdDep, body: ProjectUpdate, caller: CallerDep, projects: ProjectsDep
) -> Project:
    return projects.update(caller, project_id, body)
