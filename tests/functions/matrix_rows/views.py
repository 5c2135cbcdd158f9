"""Permission matrix rows of saved views: readers list and open them, writers save and delete them."""

from __future__ import annotations

from wanllmdb_functions.views.models import ViewSave
from wanllmdb_functions.views.service import ViewService

from . import PROJECT_CASES, PUBLIC_READ, WRITERS, Call, Ctx, Row, project_rule


def _saved_view(ctx: Ctx, case: str) -> str:
    """A view the project's owner saved in the case's project; returns its path."""
    name = ctx.unique("view")
    ViewService(ctx.tenant.items).save(
        ctx.tenant.caller("owner"), ctx.project_id(case), name, ViewSave(spec={"runs": []})
    )
    return f"/api/projects/{ctx.project_id(case)}/views/{name}"


ROWS = [
    Row(
        "GET",
        "/api/projects/{project_id}/views",
        PUBLIC_READ,
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/views"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/views/{name}",
        PUBLIC_READ,
        lambda ctx, a, c: Call(_saved_view(ctx, c)),
        cases=PROJECT_CASES,
    ),
    Row(
        "PUT",
        "/api/projects/{project_id}/views/{name}",
        project_rule(WRITERS, 201),
        lambda ctx, a, c: Call(
            f"/api/projects/{ctx.project_id(c)}/views/{ctx.unique('new')}", json={"spec": {"x": "step"}}
        ),
        cases=PROJECT_CASES,
    ),
    Row(
        "DELETE",
        "/api/projects/{project_id}/views/{name}",
        project_rule(WRITERS, 204),
        lambda ctx, a, c: Call(_saved_view(ctx, c)),
        cases=PROJECT_CASES,
    ),
]
