"""The deletion service on this request's app, for the delete and restore routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from ..app.deps import AppStateDep
from ..app.http_errors import ErrorResponse
from .service import DeletionService

__all__ = ["GONE", "DeletesDep"]


async def deletion_service(state: AppStateDep) -> DeletionService:
    return DeletionService.of(state)


DeletesDep = Annotated[DeletionService, Depends(deletion_service)]

# A restore after the purge: gone for good, said as such rather than as never having existed.
GONE: dict[int | str, dict[str, Any]] = {
    410: {"description": "gone: purged after its grace period", "model": ErrorResponse}
}
