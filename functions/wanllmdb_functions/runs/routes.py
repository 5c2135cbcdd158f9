"""The runs API (docs/api-contract.md, "Runs", "Upload grants"): parse, call the service, shape answers.

Deleting and restoring a run is deletes/run_routes.py's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from ..app.deps import AppStateDep
from ..app.offload import store_bound, store_bound_unless
from ..app.routing import ServiceRouter
from ..core.ids import RunId
from ..identity.authn import CallerDep, ReaderDep
from ..projects.deps import ProjectIdDep, ReadableProjectIdDep
from .listing import RunTable
from .models import (
    ConfigDiff,
    ConfigHistory,
    ConfigPatch,
    GrantBatch,
    Heartbeat,
    Run,
    RunCreate,
    RunGroups,
    RunList,
    RunPatch,
    RunProject,
    SummaryPatch,
    UploadBatch,
)
from .row_cache import RowCache
from .service import RunService
from .versions import config_diff, config_history

__all__ = ["router"]

router = ServiceRouter(tags=["runs"])

# A config may be 10 MB (Settings.config_max_bytes, checked exactly by the service); the routes that
# carry one take that plus room for the rest of the body instead of the app's 2 MiB default.
# (In AWS, Lambda's 6 MB request payload is the tighter bound.)
CONFIG_BODY_BYTES = 11 << 20


async def run_service(state: AppStateDep) -> RunService:
    return RunService.of(state)


async def run_table(state: AppStateDep) -> RunTable:
    storage = state.storage
    return RunTable(storage.items, storage.blobs, state.shared(RowCache, lambda _: RowCache()))


RunsDep = Annotated[RunService, Depends(run_service)]
TableDep = Annotated[RunTable, Depends(run_table)]


@router.post("/projects/{project_id}/runs", status_code=201, max_body_size=CONFIG_BODY_BYTES)
@store_bound
def create_run(
    project_id: ProjectIdDep, body: RunCreate, caller: CallerDep, runs: RunsDep, response: Response
) -> Run:
    """Create a run (201), or answer a retried create / resume with the existing run (200)."""
    run, created = runs.create(caller, project_id, body)
    if not created:
        response.status_code = 200
    return run


@router.get("/projects/{project_id}/runs")
@store_bound_unless(lambda arguments: arguments["table"].is_large(arguments["project_id"]))
def list_runs(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    table: TableDep,
    state: Annotated[str | None, Query(max_length=16)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    group: Annotated[str | None, Query(max_length=128)] = None,
    filters: Annotated[str | None, Query(max_length=10_000, description="Mongo-style JSON filter.")] = None,
    order: Annotated[
        str | None, Query(max_length=256, description="Field, '-' prefix for descending.")
    ] = None,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=4096)] = None,
    sweep: Annotated[str | None, Query(max_length=64, description="Only the trials of this sweep.")] = None,
) -> RunList:
    return table.list(
        caller, project_id, state=state, tag=tag, group=group, filters=filters, order=order,
        per_page=per_page, cursor=cursor, sweep=sweep,
    )  # fmt: skip


@router.get("/projects/{project_id}/runs/groups")
def group_runs(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    table: TableDep,
    by: Annotated[
        str, Query(max_length=256, description="group, job_type, tags, any table column, config.<path>…")
    ],
    columns: Annotated[
        str | None,
        Query(max_length=4096, description="Comma-separated numeric fields to summarise; default: summary."),
    ] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    group: Annotated[str | None, Query(max_length=128)] = None,
    filters: Annotated[str | None, Query(max_length=10_000, description="Mongo-style JSON filter.")] = None,
) -> RunGroups:
    """The runs the filters match, grouped by one field: counts, and mean/min/max per column."""
    return table.groups(
        caller, project_id, by=by, columns=columns, state=state, tag=tag, group=group, filters=filters
    )


# Declared before /runs/{run_id} so "config-diff" is never read as a run id.
@router.get("/runs/config-diff")
def diff_configs(
    caller: ReaderDep,
    runs: RunsDep,
    a: Annotated[RunId, Query()],
    b: Annotated[RunId, Query()],
    project_id: RunProject = None,
) -> ConfigDiff:
    return config_diff(runs, caller, a, b, project_id=project_id)


@router.get("/runs/{run_id}")
@store_bound
def get_run(run_id: RunId, caller: ReaderDep, runs: RunsDep, project_id: RunProject = None) -> Run:
    return runs.get(caller, run_id, project_id=project_id)


@router.patch("/runs/{run_id}")
@store_bound
def update_run(
    run_id: RunId, body: RunPatch, caller: CallerDep, runs: RunsDep, project_id: RunProject = None
) -> Run:
    return runs.patch(caller, run_id, body, project_id=project_id)


@router.patch("/runs/{run_id}/config", max_body_size=CONFIG_BODY_BYTES)
@store_bound
def update_config(
    run_id: RunId, body: ConfigPatch, caller: CallerDep, runs: RunsDep, project_id: RunProject = None
) -> Run:
    return runs.patch_config(caller, run_id, body, project_id=project_id)


@router.get("/runs/{run_id}/config/history")
def get_config_history(
    run_id: RunId, caller: ReaderDep, runs: RunsDep, project_id: RunProject = None
) -> ConfigHistory:
    return config_history(runs, caller, run_id, project_id=project_id)


@router.patch("/runs/{run_id}/summary")
@store_bound
def update_summary(
    run_id: RunId, body: SummaryPatch, caller: CallerDep, runs: RunsDep, project_id: RunProject = None
) -> Run:
    return runs.patch_summary(caller, run_id, body, project_id=project_id)


@router.post("/runs/{run_id}/heartbeat")
@store_bound
def heartbeat(run_id: RunId, caller: CallerDep, runs: RunsDep, project_id: RunProject = None) -> Heartbeat:
    state, attempt = runs.heartbeat(caller, run_id, project_id=project_id)
    return Heartbeat(state=state, attempt=attempt)  # type: ignore[arg-type]


@router.post("/runs/{run_id}/uploads")
@store_bound
def create_upload_grants(
    run_id: RunId,
    body: UploadBatch,
    caller: CallerDep,
    runs: RunsDep,
    project_id: RunProject = None,
) -> GrantBatch:
    """Presigned PUT URLs for a batch of lake chunks, files or media of a running run."""
    return GrantBatch(grants=runs.grant_uploads(caller, run_id, body.items, project_id=project_id))
