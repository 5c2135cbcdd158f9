"""`ProjectsDep`: the project service on this request's storage, for any router that needs it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..app.deps import StorageDep
from .service import ProjectService

__all__ = ["ProjectsDep", "project_service"]


async def project_service(storage: StorageDep) -> ProjectService:
    return ProjectService(storage.items)


ProjectsDep = Annotated[ProjectService, Depends(project_service)]
