"""Permission matrix rows of the model registry: a registry is read by whoever reads the owner entity's
projects, written (links, edits, free aliases, requests) by its writers, and administered (settings,
grants, deletes, approvals) by its admins. Outsiders are told it does not exist."""

from __future__ import annotations

from typing import Any

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.registry.catalog import RegistryCatalog
from wanllmdb_functions.registry.models import LinkIn, PromotionRequestIn, RegistryCreate, RegistrySettings
from wanllmdb_functions.registry.requests import RequestService
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from . import ADMINS, READERS, USERS, WRITERS, Call, Ctx, Row, actors_rule, project_rule
from .artifacts import _version

CASES = ("personal-private", "org-private")
_registries: dict[tuple[int, str], str] = {}


def _state(ctx: Ctx) -> AppState:
    return ctx.client.app.state.wl  # type: ignore[attr-defined, no-any-return]


def _catalog(ctx: Ctx) -> RegistryCatalog:
    return RegistryCatalog.of(_state(ctx))


def _registry(ctx: Ctx, case: str) -> str:
    """The case's registry (the owner's, or acme's), made once per tenant; self-approval is on so that
    any approver can approve the requests the owner makes here."""
    key = (id(ctx.tenant), case)
    if key not in _registries:
        owner = ctx.tenant.caller("owner")
        entity = owner.username if case.startswith("personal") else "acme"
        body = RegistryCreate(
            entity=entity, name="model", settings=RegistrySettings(allow_self_approval=True)
        )
        _registries[key] = _catalog(ctx).registries.create(owner, body)[0].id
    return _registries[key]


def _model(ctx: Ctx, case: str) -> str:
    """A new registered model with v0 linked from a fresh artifact of the case's project."""
    name = ctx.unique("rm")
    link = LinkIn(project_id=ctx.project_id(case), artifact=f"{_version(ctx, case)}:v0", force=True)
    _catalog(ctx).link(ctx.tenant.caller("owner"), _registry(ctx, case), name, link)
    return name


def _request(ctx: Ctx, case: str) -> str:
    ask = PromotionRequestIn(model=_model(ctx, case), version="v0", stage="Staging")
    return RequestService.of(_state(ctx)).create(ctx.tenant.caller("owner"), _registry(ctx, case), ask)[0].id


def _run(ctx: Ctx, case: str) -> str:
    run_id = ctx.unique("rrun")
    RunService.of(_state(ctx)).create(ctx.tenant.caller("owner"), ctx.project_id(case), RunCreate(id=run_id))
    return run_id


def _base(ctx: Ctx, case: str) -> str:
    return f"/api/registries/{_registry(ctx, case)}"


def _version_call(suffix: str, json: Any = None, params: dict[str, str] | None = None) -> Any:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        body = json(ctx, case) if callable(json) else json
        return Call(
            f"{_base(ctx, case)}/models/{_model(ctx, case)}/versions/v0{suffix}", json=body, params=params
        )

    return prepare


def _request_call(action: str, json: Any = None) -> Any:
    return lambda ctx, a, c: Call(f"{_base(ctx, c)}/requests/{_request(ctx, c)}{action}", json=json)


_GRANT = {"kind": "registry", "principal": "user:nobody", "permissions": ["registry:read"]}

ROWS = [
    Row("GET", "/api/registries", actors_rule(USERS), lambda ctx, a, c: Call("/api/registries")),
    Row(
        "POST",
        "/api/registries",
        project_rule(ADMINS, 201, hide=False),
        lambda ctx, a, c: Call(
            "/api/registries",
            json={
                "entity": ctx.tenant.caller("owner").username if c.startswith("personal") else "acme",
                "name": ctx.unique("reg"),
            },
        ),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}",
        project_rule(READERS),
        lambda ctx, a, c: Call(_base(ctx, c)),
        cases=CASES,
    ),
    Row(
        "PATCH",
        "/api/registries/{registry}",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(_base(ctx, c), json={"description": "models we ship"}),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/grants",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/grants"),
        cases=CASES,
    ),
    Row(
        "PUT",
        "/api/registries/{registry}/grants",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/grants", json=_GRANT),
        cases=CASES,
    ),
    Row(
        "DELETE",
        "/api/registries/{registry}/grants",
        project_rule(ADMINS, 204),
        lambda ctx, a, c: Call(
            f"{_base(ctx, c)}/grants", params={"kind": "registry", "principal": "user:nobody"}
        ),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/subscription",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/subscription"),
        cases=CASES,
    ),
    Row(
        "PUT",
        "/api/registries/{registry}/subscription",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/subscription", json={"events": ["registry.stage.changed"]}),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/models", params={"q": "rm"}),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/models/{_model(ctx, c)}"),
        cases=CASES,
    ),
    Row(
        "PUT",
        "/api/registries/{registry}/models/{model}",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/models/{ctx.unique('new')}", json={"description": "# m"}),
        cases=CASES,
    ),
    Row(
        "DELETE",
        "/api/registries/{registry}/models/{model}",
        project_rule(ADMINS, 204),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/models/{_model(ctx, c)}"),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}/timeline",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/models/{_model(ctx, c)}/timeline"),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/models/{model}/versions",
        project_rule(WRITERS, 201),
        lambda ctx, a, c: Call(
            f"{_base(ctx, c)}/models/{ctx.unique('linked')}/versions",
            json={"project_id": ctx.project_id(c), "artifact": f"{_version(ctx, c)}:v0", "force": True},
        ),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}/versions",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/models/{_model(ctx, c)}/versions"),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}/versions/{label}",
        project_rule(READERS),
        _version_call(""),
        cases=CASES,
    ),
    Row(
        "PATCH",
        "/api/registries/{registry}/models/{model}/versions/{label}",
        project_rule(WRITERS),
        _version_call("", json={"model_card": "# card"}),
        cases=CASES,
    ),
    Row(
        "DELETE",
        "/api/registries/{registry}/models/{model}/versions/{label}",
        project_rule(ADMINS, 204),
        _version_call(""),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/models/{model}/versions/{label}/aliases",
        project_rule(WRITERS),
        _version_call("/aliases", json={"add": ["champion"]}),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/models/{model}/versions/{label}/stage",
        project_rule(WRITERS),
        _version_call("/stage", json={"stage": "Archived"}),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}/versions/{label}/links",
        project_rule(READERS),
        _version_call("/links"),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/models/{model}/versions/{label}/evaluations",
        project_rule(WRITERS),
        _version_call("/evaluations", json=lambda ctx, c: {"run_id": _run(ctx, c)}),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/models/{model}/versions/{label}/deployments",
        project_rule(WRITERS, 201),
        _version_call("/deployments", json={"target": "k8s:prod", "url": "https://models.example/m"}),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}/versions/{label}/files",
        project_rule(READERS),
        _version_call("/files", params={"urls": "true"}),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/models/{model}/versions/{label}/used",
        project_rule(WRITERS),  # registry:download and run:write on the run (the case project's)
        _version_call("/used", json=lambda ctx, c: {"run_id": _run(ctx, c)}),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/models/{model}/versions/{label}/manifest",
        project_rule(READERS),
        _version_call("/manifest"),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/requests",
        project_rule(WRITERS, 201),
        lambda ctx, a, c: Call(
            f"{_base(ctx, c)}/requests", json={"model": _model(ctx, c), "version": "v0", "stage": "Staging"}
        ),
        cases=CASES,
    ),
    Row(
        "GET",
        "/api/registries/{registry}/requests",
        project_rule(READERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/requests", params={"status": "pending"}),
        cases=CASES,
    ),
    Row(
        "GET", "/api/registry-requests", actors_rule(USERS), lambda ctx, a, c: Call("/api/registry-requests")
    ),
    Row(
        "GET",
        "/api/registries/{registry}/requests/{request_id}",
        project_rule(READERS),
        _request_call(""),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/requests/{request_id}/approve",
        project_rule(ADMINS),
        _request_call("/approve", json={"comment": "ok"}),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/requests/{request_id}/reject",
        project_rule(ADMINS),
        _request_call("/reject", json={"comment": "needs an evaluation"}),
        cases=CASES,
    ),
    Row(
        "POST",
        "/api/registries/{registry}/requests/{request_id}/cancel",
        project_rule(ADMINS),
        _request_call("/cancel", json={}),
        cases=CASES,
    ),
]
