"""FastAPI dependencies of the query routes: the service, with the process's decoded-object cache."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends

from ..app.deps import SettingsDep, StorageDep
from ..core.settings import Settings
from ..lake.reader import FrameCache
from .run_catalog import ServiceRunCatalog
from .service import QueryService

__all__ = ["QueryDep", "frame_cache", "query_service"]

_cache: FrameCache | None = None
_cache_lock = threading.Lock()


def frame_cache(settings: Settings) -> FrameCache:
    """One decoded-object cache per process: objects are immutable per (key, size, etag)."""
    global _cache
    with _cache_lock:
        if _cache is None:
            _cache = FrameCache(settings.query_cache_mb << 20)
        return _cache


async def query_service(storage: StorageDep, settings: SettingsDep) -> QueryService:
    catalog = ServiceRunCatalog(storage.items, storage.blobs)
    return QueryService(storage.blobs, catalog, cache=frame_cache(settings))


QueryDep = Annotated[QueryService, Depends(query_service)]
