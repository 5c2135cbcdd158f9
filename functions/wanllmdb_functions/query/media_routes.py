"""GET /runs/{run_id}/media...: a run's media keys, one (key, step) with presigned GETs, histograms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ..app.routing import ServiceRouter
from ..core.ids import RunId
from ..identity.authn import ReaderDep
from ..projects.deps import ReadableProjectIdDep
from ..runs.models import RunProject
from .deps import QueryDep
from .media_models import MediaHistograms, MediaItem, MediaKeys
from .tables import MAX_TABLE_PAGE, TableQuery
from .tables_models import TableJoinRequest, TablePage

__all__ = ["router"]

router = ServiceRouter(tags=["query"])

STEP_LIMIT = 2**63 - 1  # steps are int64 in the lake
MediaKeyParam = Annotated[str, Query(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f]+$")]


@router.get("/runs/{run_id}/media")
def run_media_keys(
    run_id: RunId, caller: ReaderDep, service: QueryDep, project_id: RunProject = None
) -> MediaKeys:
    return service.media_keys(caller, run_id, project_id=project_id)


@router.get("/runs/{run_id}/media/item")
def run_media_item(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    key: MediaKeyParam,
    step: Annotated[int, Query(ge=-STEP_LIMIT, le=STEP_LIMIT, description="nearest earlier when none")],
    project_id: RunProject = None,
) -> MediaItem:
    return service.media_item(caller, run_id, key, step, project_id=project_id)


@router.get("/runs/{run_id}/media/histograms")
def run_media_histograms(
    run_id: RunId, caller: ReaderDep, service: QueryDep, key: MediaKeyParam, project_id: RunProject = None
) -> MediaHistograms:
    return service.media_histograms(caller, run_id, key, project_id=project_id)


@router.get("/runs/{run_id}/table")
def run_table(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    key: MediaKeyParam,
    step: Annotated[int, Query(ge=-STEP_LIMIT, le=STEP_LIMIT, description="nearest earlier when none")],
    offset: Annotated[int, Query(ge=0, le=2**53)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_TABLE_PAGE)] = 100,
    sort: Annotated[str | None, Query(max_length=256, description="a column name")] = None,
    desc: bool = False,
    filters: Annotated[
        str | None, Query(max_length=10_000, description="the runs table's JSON filters")
    ] = None,
    group_by: Annotated[str | None, Query(max_length=256, description="a scalar column")] = None,
    project_id: RunProject = None,
) -> TablePage:
    """One page of the Table logged under `key` at `step`: filtered, sorted or grouped on the server."""
    query = TableQuery(key, step, offset, limit, sort, desc, filters, group_by)
    return service.table(caller, run_id, query, project_id=project_id)


@router.post("/projects/{project_id}/tables/join")
def join_tables(
    project_id: ReadableProjectIdDep, body: TableJoinRequest, caller: ReaderDep, service: QueryDep
) -> TablePage:
    """The same table key of several runs side by side, joined on one column, paged like one table."""
    return service.join_tables(caller, project_id, body)
