"""FastAPI dependency of the SQL route: the service, sharing the app's decoded-object cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..app.deps import AppStateDep
from ..query.deps import frame_cache
from ..query.run_catalog import ServiceRunCatalog
from .service import SqlService

__all__ = ["SqlDep", "sql_service"]


async def sql_service(state: AppStateDep) -> SqlService:
    storage = state.storage
    catalog = ServiceRunCatalog(storage.items, storage.blobs)
    return SqlService(
        storage.blobs, catalog, cache=frame_cache(state), timeout_s=state.settings.sql_timeout_s
    )


SqlDep = Annotated[SqlService, Depends(sql_service)]
