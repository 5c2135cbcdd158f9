"""HTTP routes of the query service: parse, call `QueryService`, shape the response."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header, Query, Response
from fastapi.responses import JSONResponse

from ..app.routing import ServiceRouter
from ..core.caller import Caller
from ..core.ids import RunId
from ..identity.authn import CallerDep, ReaderDep
from ..projects.deps import ProjectIdDep, ReadableProjectIdDep
from ..runs.models import RunProject
from .arrow_encoding import ARROW_STREAM, batch_arrow
from .batch import read_batch, to_response
from .batch_models import BUCKET_FIELDS, BatchBody, BatchQuery, BatchResponse
from .chart_query import ChartQuery
from .deps import QueryDep
from .models import (
    ChartResponse,
    CompareRequest,
    CompareResponse,
    ExportRequest,
    ExportResponse,
    HistoryPage,
    MetricKeys,
    RunFile,
    RunFiles,
    check_keys,
)
from .run_keys import RunsKeys, RunsKeysRequest, runs_keys
from .service import QueryService

__all__ = ["router"]

router = ServiceRouter(tags=["query"])

STEP_LIMIT = 2**63 - 1  # steps are int64 in the lake
StreamParam = Annotated[Literal["history", "system"], Query(description="history or system metrics")]


def _key_list(keys: list[str] | None) -> list[str]:
    # `keys=a,b` and `keys=a&keys=b` both work.
    return check_keys([k for item in keys or [] for k in item.split(",") if k])


@router.get(
    "/runs/{run_id}/metrics",
    response_model=ChartResponse,
    responses={304: {"description": "nothing new since the ETag in If-None-Match"}},
)
def run_metrics(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    keys: Annotated[list[str] | None, Query(description="comma-separated metric keys")] = None,
    x: Annotated[str, Query(min_length=1, max_length=256, description="step, ts or a metric")] = "step",
    buckets: Annotated[int, Query(description="1..10000")] = 1000,
    min: Annotated[float | None, Query(description="lowest x to include (zoom)")] = None,
    max: Annotated[float | None, Query(description="highest x to include (zoom)")] = None,
    stream: StreamParam = "history",
    after_step: Annotated[
        int | None, Query(ge=-STEP_LIMIT, le=STEP_LIMIT, description="newer steps only")
    ] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    project_id: RunProject = None,
) -> Response:
    query = ChartQuery(_key_list(keys), x, buckets, stream, min, max, after_step)
    result = service.chart(caller, run_id, query, if_none_match=if_none_match, project_id=project_id)
    headers = {"ETag": result.etag, "Cache-Control": "no-cache"}
    if result.not_modified:
        return Response(status_code=304, headers=headers)
    body = ChartResponse(
        run_id=run_id,
        x=x,
        stream=stream,
        series=result.series,
        last_step=result.last_step,
        warnings=result.warnings,
    )
    return JSONResponse(body.model_dump(exclude_none=True), headers=headers)


@router.get("/runs/{run_id}/metric-keys")
def run_metric_keys(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    stream: StreamParam = "history",
    project_id: RunProject = None,
) -> MetricKeys:
    keys, warnings = service.metric_keys(caller, run_id, stream, project_id=project_id)
    return MetricKeys(keys=keys, warnings=warnings)


@router.post("/projects/{project_id}/keys")
def project_runs_keys(
    project_id: ReadableProjectIdDep, body: RunsKeysRequest, caller: ReaderDep, service: QueryDep
) -> RunsKeys:
    """The metric keys (and media keys) of up to 1,000 runs of the project in one answer: what a
    workspace needs to lay out its charts, instead of two requests per selected run. A read; a
    body because 1,000 run ids do not fit a URL."""
    return runs_keys(service, caller, project_id, body)


@router.get(
    "/runs/{run_id}/history",
    response_model=HistoryPage,
    responses={200: {"content": {"application/vnd.apache.parquet": {}}}},
)
def run_history(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    keys: Annotated[list[str] | None, Query(description="comma-separated metric keys")] = None,
    stream: StreamParam = "history",
    min_step: Annotated[int | None, Query(ge=-STEP_LIMIT, le=STEP_LIMIT)] = None,
    max_step: Annotated[int | None, Query(ge=-STEP_LIMIT, le=STEP_LIMIT)] = None,
    page_size: Annotated[int, Query(description="steps per page, 1..100000")] = 1000,
    cursor: Annotated[
        int | None, Query(ge=-STEP_LIMIT, le=STEP_LIMIT, description="the last next_cursor")
    ] = None,
    samples: Annotated[int | None, Query(description="at most this many evenly spread steps")] = None,
    format: Annotated[Literal["json", "parquet"], Query()] = "json",
    project_id: RunProject = None,
) -> Response:
    """Wide rows (`_step`, `_timestamp`, one column per key), paged by step."""
    key_list = _key_list(keys) or None
    rows = service.history(
        caller,
        run_id,
        stream=stream,
        keys=key_list,
        project_id=project_id,
        min_step=min_step,
        max_step=max_step,
        page_size=page_size,
        cursor=cursor,
        samples=samples,
    )
    headers = {"X-Next-Cursor": "" if rows.next_cursor is None else str(rows.next_cursor)}
    if format == "parquet":
        from .history import to_parquet_bytes

        body = to_parquet_bytes(rows.frame, media_keys=rows.media_keys)
        return Response(body, media_type="application/vnd.apache.parquet", headers=headers)
    from .envelope import json_number

    records = [{k: json_number(v) for k, v in row.items()} for row in rows.records()]
    page = HistoryPage(rows=records, next_cursor=rows.next_cursor, warnings=rows.warnings)
    return JSONResponse(page.model_dump(), headers=headers)


@router.get("/runs/{run_id}/export")
def export_run(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    stream: StreamParam = "history",
    project_id: RunProject = None,
) -> ExportResponse:
    """A presigned GET of the run's full history as one Parquet file (never compacting it)."""
    return service.export_run(caller, run_id, stream=stream, project_id=project_id)


@router.get("/runs/{run_id}/files")
def run_files(run_id: RunId, caller: ReaderDep, service: QueryDep, project_id: RunProject = None) -> RunFiles:
    """Files saved with the run (`wanllmdb.save`), each with a presigned GET."""
    return RunFiles(items=service.files(caller, run_id, project_id=project_id))


FilePathParam = Annotated[str, Query(min_length=1, max_length=512, description="saved file or media path")]


@router.get("/runs/{run_id}/file")
def run_file(
    run_id: RunId,
    caller: ReaderDep,
    service: QueryDep,
    path: FilePathParam,
    project_id: RunProject = None,
) -> RunFile:
    """One saved file or media object of the run, with a presigned GET (404 when there is none)."""
    return service.file(caller, run_id, path, project_id=project_id)


@router.post("/projects/{project_id}/metrics/query")
def compare_runs(
    project_id: ReadableProjectIdDep, body: CompareRequest, caller: ReaderDep, service: QueryDep
) -> CompareResponse:
    """N runs x K keys in one request, with optional mean/min/max/std bands per group."""
    return service.compare(caller, project_id, body)


@router.get(
    "/projects/{project_id}/metrics/batch",
    response_model=BatchResponse,
    responses={
        200: {"content": {ARROW_STREAM: {}}},
        304: {"description": "unchanged since the ETag in If-None-Match"},
    },
)
def batch_metrics(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    service: QueryDep,
    runs: Annotated[list[str], Query(description="run ids, comma-separated or repeated")],
    keys: Annotated[list[str], Query(description="metric keys, one keys= per key (taken verbatim)")],
    x: Annotated[str, Query(min_length=1, max_length=256, description="step, ts or a metric")] = "step",
    buckets: Annotated[int, Query(description="1..10000; runs x keys x buckets at most 1,000,000")] = 1000,
    min: Annotated[float | None, Query(description="lowest x to include (zoom)")] = None,
    max: Annotated[float | None, Query(description="highest x to include (zoom)")] = None,
    stream: StreamParam = "history",
    after_step: Annotated[
        int | None, Query(ge=-STEP_LIMIT, le=STEP_LIMIT, description="newer steps only")
    ] = None,
    fields: Annotated[
        str, Query(max_length=200, description="bucket fields to send, comma-separated")
    ] = ",".join(BUCKET_FIELDS),
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Many runs x many keys on one x axis (a workspace section) in one answer, as JSON or Arrow."""
    run_ids = [r for item in runs for r in item.split(",") if r]
    wanted = tuple(f.strip() for f in fields.split(",") if f.strip())
    query = BatchQuery(run_ids, keys, x, buckets, stream, min, max, after_step, wanted)
    return _batch_answer(service, caller, project_id, query, accept, if_none_match)


@router.post(
    "/projects/{project_id}/metrics/batch",
    response_model=BatchResponse,
    responses={
        200: {"content": {ARROW_STREAM: {}}},
        304: {"description": "unchanged since the ETag in If-None-Match"},
    },
)
def batch_metrics_with_band(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    service: QueryDep,
    body: BatchBody,
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The GET's answer for a body's ask, plus `band`: up to 1,000 more runs aggregated into one
    min/max band per key (the selection past the first N lines). A read, not a write: a body because
    1,000 run ids do not fit a URL. The ETag and If-None-Match work as on the GET (the body is part
    of the ETag); Cache-Control says whether the answer can change, for the client's own cache."""
    return _batch_answer(service, caller, project_id, body.query(), accept, if_none_match)


def _batch_answer(
    service: QueryService,
    caller: Caller,
    project_id: str,
    query: BatchQuery,
    accept: str | None,
    if_none_match: str | None,
) -> Response:
    media_type = ARROW_STREAM if accept and ARROW_STREAM in accept else "application/json"
    result = read_batch(service, caller, project_id, query, variant=media_type, if_none_match=if_none_match)
    # Vary: one URL answers in two encodings, and to whoever's credentials came with it.
    headers = {
        "ETag": result.etag,
        "Cache-Control": result.cache_control,
        "Vary": "Accept, Authorization, Cookie",
    }
    if result.not_modified:
        return Response(status_code=304, headers=headers)
    if media_type == ARROW_STREAM:
        return Response(batch_arrow(result), media_type=ARROW_STREAM, headers=headers)
    return Response(
        to_response(result).model_dump_json(exclude_none=True), media_type=media_type, headers=headers
    )


@router.post("/projects/{project_id}/export")
def export_project(
    project_id: ProjectIdDep, body: ExportRequest, caller: CallerDep, service: QueryDep
) -> ExportResponse:
    """Many runs' histories, configs and summaries as one Parquet file, behind a presigned GET."""
    return service.export_project(caller, project_id, body)
