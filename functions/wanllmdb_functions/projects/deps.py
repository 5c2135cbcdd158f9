"""Dependencies for any router that works on projects.

`ProjectsDep` is the project service on this request's storage. `ProjectIdDep` is the
`{project_id}` path parameter resolved to a project id: the id itself, or `entity:name`. A path
segment cannot carry `entity/name` (uvicorn and API Gateway both decode `%2F` before routing), so
the name form uses a colon, which neither entity names, project names nor ids contain.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from ..app.deps import StorageDep
from ..app.offload import store_call
from ..core.ids import MAX_PROJECT_REF_LENGTH, PROJECT_REF_PATTERN
from ..identity.authn import CallerDep, ReaderDep
from .service import ProjectService

__all__ = ["ProjectIdDep", "ProjectsDep", "ReadableProjectIdDep", "project_service"]


async def project_service(storage: StorageDep) -> ProjectService:
    return ProjectService(storage.items)


ProjectsDep = Annotated[ProjectService, Depends(project_service)]


ProjectRefPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_PROJECT_REF_LENGTH,
        pattern=PROJECT_REF_PATTERN,
        description="The project's id, or `entity:name` (e.g. `alice:mnist`).",
    ),
]


async def project_id_of_path(
    project_id: ProjectRefPath, caller: CallerDep, projects: ProjectsDep, storage: StorageDep
) -> str:
    return await store_call(storage.items, projects.resolve_id, caller, project_id)


ProjectIdDep = Annotated[str, Depends(project_id_of_path)]


async def readable_project_id_of_path(
    project_id: ProjectRefPath, caller: ReaderDep, projects: ProjectsDep, storage: StorageDep
) -> str:
    """`project_id_of_path` for the routes that only read: a public project resolves without a key."""
    return await store_call(storage.items, projects.resolve_id, caller, project_id)


ReadableProjectIdDep = Annotated[str, Depends(readable_project_id_of_path)]
