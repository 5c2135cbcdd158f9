"""FastAPI dependencies of the query routes: the service, with this app's decoded-object cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..app.deps import AppStateDep
from ..app.state import AppState
from ..lake.reader import FrameCache
from .run_catalog import ServiceRunCatalog
from .service import QueryService

__all__ = ["QueryDep", "frame_cache", "query_service"]


def frame_cache(state: AppState) -> FrameCache:
    """One decoded-object cache per app: objects are immutable per (key, size, etag)."""
    return state.shared(FrameCache, lambda settings: FrameCache(settings.query_cache_mb << 20))


async def query_service(state: AppStateDep) -> QueryService:
    storage = state.storage
    catalog = ServiceRunCatalog(storage.items, storage.blobs)
    return QueryService(
        storage.blobs, catalog, cache=frame_cache(state), link_ttl_s=state.settings.grant_ttl_s
    )


QueryDep = Annotated[QueryService, Depends(query_service)]
