"""Permission matrix rows of notifications, the activity feed and resource grants: users' own inboxes
and webhooks, project readers' subscriptions and feeds, run writers' alerts, project admins' grants,
organization members' feeds, and the local outbox for tenant admins."""

from __future__ import annotations

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.notifications.models import AutomationCreate, WebhookCreate
from wanllmdb_functions.notifications.wiring import automation_service, notification_service
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from . import (
    ADMINS,
    ORG_READERS,
    PROJECT_CASES,
    READERS,
    TENANT,
    USERS,
    WRITERS,
    Call,
    Ctx,
    Row,
    actors_rule,
    project_rule,
)

# A public IP literal: the SSRF guard passes it without DNS, and nothing is ever delivered to it here.
HOOK_URL = "https://93.184.216.34/wanllmdb"


def _state(ctx: Ctx) -> AppState:
    return ctx.client.app.state.wl  # type: ignore[attr-defined, no-any-return]


def _own_webhook(ctx: Ctx, actor: str | None) -> str:
    """A webhook of the actor's own (anonymous callers get the owner's: they are refused anyway)."""
    caller = ctx.tenant.caller(actor or "owner")
    return notification_service(_state(ctx)).create_webhook(caller, WebhookCreate(url=HOOK_URL)).id


def _run(ctx: Ctx, case: str) -> str:
    run_id = ctx.unique("nrun")
    RunService.of(_state(ctx)).create(ctx.tenant.caller("owner"), ctx.project_id(case), RunCreate(id=run_id))
    return run_id


ROWS = [
    Row(
        "GET", "/api/notifications", actors_rule(USERS), lambda ctx, a, c: Call("/api/notifications"), TENANT
    ),
    Row(
        "POST",
        "/api/notifications/read",
        actors_rule(USERS),
        lambda ctx, a, c: Call("/api/notifications/read", json={"ids": []}),
        TENANT,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/subscription",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/subscription"),
        PROJECT_CASES,
    ),
    Row(
        "PUT",
        "/api/projects/{project_id}/subscription",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/subscription", json={"events": ["alert"]}),
        PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/webhooks",
        actors_rule(USERS, 201),
        lambda ctx, a, c: Call("/api/webhooks", json={"url": HOOK_URL}),
        TENANT,
    ),
    Row("GET", "/api/webhooks", actors_rule(USERS), lambda ctx, a, c: Call("/api/webhooks"), TENANT),
    Row(
        "DELETE",
        "/api/webhooks/{hook_id}",
        actors_rule(USERS, 204),
        lambda ctx, a, c: Call(f"/api/webhooks/{_own_webhook(ctx, a)}"),
        TENANT,
    ),
    Row(
        "GET",
        "/api/webhooks/{hook_id}/deliveries",
        actors_rule(USERS),
        lambda ctx, a, c: Call(f"/api/webhooks/{_own_webhook(ctx, a)}/deliveries"),
        TENANT,
    ),
    Row(
        "GET",
        "/api/outbox",
        actors_rule({"admin"}),
        lambda ctx, a, c: Call("/api/outbox"),
        TENANT,
        on_aws=False,
    ),
    Row(
        "POST",
        "/api/runs/{run_id}/alerts",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"/api/runs/{_run(ctx, c)}/alerts", json={"title": "t", "text": "x"}),
        PROJECT_CASES,
    ),
]

ROWS += [
    Row(
        "GET",
        "/api/projects/{project_id}/activity",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/activity"),
        PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/orgs/{org}/activity",
        actors_rule(ORG_READERS),
        lambda ctx, a, c: Call("/api/orgs/acme/activity"),
        TENANT,
    ),
]


def _grant_body(ctx: Ctx, case: str) -> dict[str, object]:
    return {
        "kind": "run",
        "resource_id": _run(ctx, case),
        "principal": "user:outsider",
        "permissions": ["run:read"],
    }


ROWS += [
    Row(
        "GET",
        "/api/projects/{project_id}/grants",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/grants"),
        PROJECT_CASES,
    ),
    Row(
        "PUT",
        "/api/projects/{project_id}/grants",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/grants", json=_grant_body(ctx, c)),
        PROJECT_CASES,
    ),
    Row(
        "DELETE",
        "/api/projects/{project_id}/grants",
        project_rule(ADMINS, 204),
        lambda ctx, a, c: Call(
            f"/api/projects/{ctx.project_id(c)}/grants",
            params={"kind": "run", "resource_id": "r", "principal": "user:outsider"},
        ),
        PROJECT_CASES,
    ),
]


def _automation(ctx: Ctx, case: str) -> str:
    body = AutomationCreate.model_validate({"name": "crashes", "trigger": {"kind": "run_crashed"}})
    created = automation_service(_state(ctx)).create(ctx.tenant.caller("owner"), ctx.project_id(case), body)
    return created.id


_CRASH_AUTOMATION = {"name": "crashes", "trigger": {"kind": "run_crashed"}}

ROWS += [
    Row(
        "POST",
        "/api/projects/{project_id}/automations",
        project_rule(WRITERS, 201),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/automations", json=_CRASH_AUTOMATION),
        PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/automations",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/automations"),
        PROJECT_CASES,
    ),
    Row(
        "DELETE",
        "/api/projects/{project_id}/automations/{automation_id}",
        project_rule(WRITERS, 204),
        lambda ctx, a, c: Call(f"/api/projects/{ctx.project_id(c)}/automations/{_automation(ctx, c)}"),
        PROJECT_CASES,
    ),
]
