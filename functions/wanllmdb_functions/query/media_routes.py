"""GET /runs/{run_id}/media...: a run's media keys, one (key, step) with presigned GETs, histograms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..core.ids import RunId
from ..identity.authn import CallerDep
from ..runs.models import RunProject
from .deps import QueryDep
from .media_models import MediaHistograms, MediaItem, MediaKeys

__all__ = ["router"]

router = APIRouter(tags=["query"])

STEP_LIMIT = 2**63 - 1  # steps are int64 in the lake
MediaKeyParam = Annotated[str, Query(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f]+$")]


@router.get("/runs/{run_id}/media")
def run_media_keys(
    run_id: RunId, caller: CallerDep, service: QueryDep, project_id: RunProject = None
) -> MediaKeys:
    return service.media_keys(caller, run_id, project_id=project_id)


@router.get("/runs/{run_id}/media/item")
def run_media_item(
    run_id: RunId,
    caller: CallerDep,
    service: QueryDep,
    key: MediaKeyParam,
    step: Annotated[int, Query(ge=-STEP_LIMIT, le=STEP_LIMIT, description="nearest earlier when none")],
    project_id: RunProject = None,
) -> MediaItem:
    return service.media_item(caller, run_id, key, step, project_id=project_id)


@router.get("/runs/{run_id}/media/histograms")
def run_media_histograms(
    run_id: RunId, caller: CallerDep, service: QueryDep, key: MediaKeyParam, project_id: RunProject = None
) -> MediaHistograms:
    return service.media_histograms(caller, run_id, key, project_id=project_id)
