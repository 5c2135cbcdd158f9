"""Permission matrix rows of deletes: delete and restore a run, a project, a team (docs/deletes.md).

Every call works on a fresh object, so no row deletes what another row (or the tour) relies on.
"""

from __future__ import annotations

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.deletes.service import DeletionService
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from ..actors import USERNAMES
from . import ADMINS, ORG_ADMINS, PROJECT_CASES, WRITERS, Call, Ctx, Row, actors_rule, project_rule


def _deletes(ctx: Ctx) -> DeletionService:
    state: AppState = ctx.client.app.state.wl  # type: ignore[attr-defined]
    return DeletionService.of(state)


def _fresh_run(ctx: Ctx, case: str) -> str:
    state: AppState = ctx.client.app.state.wl  # type: ignore[attr-defined]
    run_id = ctx.unique("run")
    RunService.of(state).create(ctx.tenant.caller("owner"), ctx.project_id(case), RunCreate(id=run_id))
    return run_id


def _deleted_run(ctx: Ctx, case: str) -> str:
    run_id = _fresh_run(ctx, case)
    _deletes(ctx).delete_run(ctx.tenant.caller("owner"), run_id)
    return run_id


def _fresh_project(ctx: Ctx, case: str) -> str:
    """A new project owned as the case's project is (personal or acme's), with its visibility."""
    entity = USERNAMES["owner"] if case.startswith("personal") else "acme"
    body = ProjectCreate(name=ctx.unique("doomed"), entity=entity, visibility=case.split("-")[1])  # type: ignore[arg-type]
    project, _ = ProjectService(ctx.tenant.items).create(ctx.tenant.caller("owner"), body)
    return project.id


def _deleted_project(ctx: Ctx, case: str) -> str:
    project_id = _fresh_project(ctx, case)
    _deletes(ctx).delete_project(ctx.tenant.caller("owner"), project_id)
    return project_id


def _fresh_team(ctx: Ctx) -> str:
    name = ctx.unique("team")
    OrgService(ctx.tenant.items).create_team(ctx.tenant.caller("owner"), "acme", name)
    return name


def _deleted_team(ctx: Ctx) -> str:
    name = _fresh_team(ctx)
    _deletes(ctx).delete_team(ctx.tenant.caller("owner"), name)
    return name


ROWS = [
    Row(
        "DELETE",
        "/api/runs/{run_id}",
        project_rule(WRITERS, 202),
        lambda ctx, a, c: Call(f"/api/runs/{_fresh_run(ctx, c)}"),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/runs/{run_id}/restore",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"/api/runs/{_deleted_run(ctx, c)}/restore"),
        cases=PROJECT_CASES,
    ),
    Row(
        "DELETE",
        "/api/projects/{project_id}",
        project_rule(ADMINS, 202),
        lambda ctx, a, c: Call(f"/api/projects/{_fresh_project(ctx, c)}"),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/restore",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(f"/api/projects/{_deleted_project(ctx, c)}/restore"),
        cases=PROJECT_CASES,
    ),
    Row(
        "DELETE",
        "/api/teams/{team}",
        actors_rule(ORG_ADMINS, 202),
        lambda ctx, a, c: Call(f"/api/teams/{_fresh_team(ctx)}"),
    ),
    Row(
        "POST",
        "/api/teams/{team}/restore",
        actors_rule(ORG_ADMINS),
        lambda ctx, a, c: Call(f"/api/teams/{_deleted_team(ctx)}/restore"),
    ),
]
