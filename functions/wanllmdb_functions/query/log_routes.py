"""GET /runs/{run_id}/logs: a run's console output, paged and searchable (docs/api-contract.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ..app.routing import ServiceRouter
from ..core.ids import RunId
from ..identity.authn import ReaderDep
from ..runs.models import RunProject
from .deps import QueryDep
from .logs import MAX_LOG_LIMIT, LogPage

__all__ = ["router"]

router = ServiceRouter(tags=["query"])


@router.get("/runs/{run_id}/logs")
def run_logs(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    offset: Annotated[int, Query(ge=0, le=2**62, description="first line of the ordered sequence")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG_LIMIT)] = 1000,
    search: Annotated[str | None, Query(min_length=1, max_length=1000, description="substring")] = None,
    project_id: RunProject = None,
) -> LogPage:
    return service.logs(caller, run_id, offset=offset, limit=limit, search=search, project_id=project_id)
