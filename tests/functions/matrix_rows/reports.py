"""Permission matrix rows of reports (reports/routes.py), on a published report the project's owner
wrote, under the project's rules (visibility null): its readers read it (without a key when the
project is public), its writers save it, its owner or a project admin deletes it or changes who
sees it; those who may not read the project are told the report does not exist. A view share link
opens for anyone. Drafts, visibility and edit links: tests/functions/reports/."""

from __future__ import annotations

from typing import Any

from wanllmdb_functions.reports.comments import CommentService
from wanllmdb_functions.reports.models import Anchor, CommentIn, ReportCreate, ShareLinkIn
from wanllmdb_functions.reports.service import ReportService
from wanllmdb_functions.reports.sharing import ShareLinkService

from . import (
    ADMINS,
    PROJECT_CASES,
    PUBLIC_READ,
    READERS,
    USERS,
    WRITERS,
    Call,
    Ctx,
    Prepare,
    Row,
    actors_rule,
    project_rule,
    public_rule,
)

SPEC: dict[str, Any] = {"version": 1, "blocks": [{"id": "p1", "type": "paragraph", "text": [{"text": "hi"}]}]}


def _items(ctx: Ctx) -> Any:
    return ctx.client.app.state.wl.storage.items  # type: ignore[attr-defined]


def _report(ctx: Ctx, case: str) -> str:
    """A new published report in the case's project, by the project's owner."""
    svc, owner = ReportService(_items(ctx)), ctx.tenant.caller("owner")
    body = ReportCreate(title=ctx.unique("report"), spec=SPEC)
    report, _ = svc.create(owner, ctx.project_id(case), body)
    svc.publish(owner, report.id)
    return report.id


def _thread(ctx: Ctx, report_id: str) -> str:
    body = CommentIn(anchor=Anchor(block_id="p1"), body="first")
    return CommentService(_items(ctx)).start(ctx.tenant.caller("owner"), report_id, body).id


def _link(ctx: Ctx, report_id: str) -> str:
    body = ShareLinkIn(access="view", expires_in_s=3600)
    return ShareLinkService(_items(ctx)).create(ctx.tenant.caller("owner"), report_id, body).id


def _on_report(suffix: str = "", *, json: Any = None, params: dict[str, str] | None = None) -> Prepare:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        return Call(f"/api/reports/{_report(ctx, case)}{suffix}", json=json, params=params)

    return prepare


def _thread_call(suffix: str, json: Any) -> Prepare:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        report_id = _report(ctx, case)
        return Call(f"/api/reports/{report_id}/comments/{_thread(ctx, report_id)}{suffix}", json=json)

    return prepare


def _revoke(ctx: Ctx, actor: str | None, case: str) -> Call:
    report_id = _report(ctx, case)
    return Call(f"/api/reports/{report_id}/share-links/{_link(ctx, report_id)}")


def _shared(ctx: Ctx, actor: str | None, case: str) -> Call:
    report_id = _report(ctx, "personal-private")
    body = ShareLinkIn(access="view", expires_in_s=3600)
    token = ShareLinkService(_items(ctx)).create(ctx.tenant.caller("owner"), report_id, body).token
    return Call(f"/api/shared/reports/{token}")


def _create(ctx: Ctx, actor: str | None, case: str) -> Call:
    return Call(f"/api/projects/{ctx.project_id(case)}/reports", json={"title": "t", "spec": SPEC})


R = "/api/reports/{report_id}"
ROWS = [
    Row(
        "POST", "/api/projects/{project_id}/reports", project_rule(WRITERS, 201), _create, cases=PROJECT_CASES
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/reports",
        PUBLIC_READ,
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/reports"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/reports",
        actors_rule(USERS),
        lambda ctx, a, c: Call("/api/reports", params={"mine": "true"}),
    ),
    Row("GET", R, PUBLIC_READ, _on_report(), cases=PROJECT_CASES),
    Row(
        "PUT",
        R,
        project_rule(WRITERS),
        _on_report(json={"spec": SPEC, "base_version": 1, "message": "m"}),
        cases=PROJECT_CASES,
    ),
    Row("DELETE", R, project_rule(ADMINS, 204), _on_report(), cases=PROJECT_CASES),
    Row("POST", f"{R}/publish", project_rule(WRITERS), _on_report("/publish", json={}), cases=PROJECT_CASES),
    Row(
        "PUT",
        f"{R}/visibility",
        project_rule(ADMINS),
        _on_report("/visibility", json={"visibility": None}),
        cases=PROJECT_CASES,
    ),
    Row("PUT", f"{R}/star", project_rule(READERS, 204), _on_report("/star"), cases=PROJECT_CASES),
    Row("DELETE", f"{R}/star", project_rule(READERS, 204), _on_report("/star"), cases=PROJECT_CASES),
    Row(
        "GET", f"{R}/export", PUBLIC_READ, _on_report("/export", params={"format": "md"}), cases=PROJECT_CASES
    ),
    Row("GET", f"{R}/versions", PUBLIC_READ, _on_report("/versions"), cases=PROJECT_CASES),
    Row("GET", f"{R}/versions/{{number}}", PUBLIC_READ, _on_report("/versions/1"), cases=PROJECT_CASES),
    Row(
        "GET",
        f"{R}/diff",
        PUBLIC_READ,
        _on_report("/diff", params={"from": "1", "to": "1"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        f"{R}/versions/{{number}}/restore",
        project_rule(WRITERS),
        _on_report("/versions/1/restore", json={"base_version": 1}),
        cases=PROJECT_CASES,
    ),
    Row("GET", f"{R}/comments", PUBLIC_READ, _on_report("/comments"), cases=PROJECT_CASES),
    Row(
        "POST",
        f"{R}/comments",
        project_rule(READERS, 201),
        _on_report("/comments", json={"anchor": {"block_id": "p1"}, "body": "why?"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        f"{R}/comments/{{thread_id}}/replies",
        project_rule(READERS, 201),
        _thread_call("/replies", {"body": "because"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "PATCH",
        f"{R}/comments/{{thread_id}}",
        project_rule(WRITERS),
        _thread_call("", {"resolved": True}),
        cases=PROJECT_CASES,
    ),
    Row("GET", f"{R}/mentionable", project_rule(READERS), _on_report("/mentionable"), cases=PROJECT_CASES),
    Row(
        "POST",
        f"{R}/share-links",
        project_rule(WRITERS, 201),
        _on_report("/share-links", json={"access": "view", "expires_in_s": 3600}),
        cases=PROJECT_CASES,
    ),
    Row("GET", f"{R}/share-links", project_rule(WRITERS), _on_report("/share-links"), cases=PROJECT_CASES),
    Row("DELETE", f"{R}/share-links/{{link_id}}", project_rule(WRITERS, 204), _revoke, cases=PROJECT_CASES),
    Row("GET", "/api/shared/reports/{token}", public_rule(), _shared),
]
