"""Model registry routes (docs/registry.md): parse, call one service method, shape the response."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Response, status

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..artifacts.models import FilePage
from ..artifacts.service import MAX_FILE_PAGE
from ..core.policy import Permission
from ..identity.authn import CallerDep
from ..notifications.models import RegistrySubscriptionSet, Subscription
from ..notifications.wiring import notification_service
from .catalog import RegistryCatalog
from .models import (
    AliasChange,
    Deployment,
    DeploymentIn,
    Evaluation,
    EvaluationIn,
    LinkIn,
    PromotionRequest,
    PromotionRequestIn,
    PromotionRequests,
    RegisteredModel,
    RegisteredModelIn,
    RegisteredModels,
    RegisteredVersion,
    RegisteredVersions,
    Registries,
    Registry,
    RegistryCreate,
    RegistryGrantIn,
    RegistryGrantOut,
    RegistryUpdate,
    ReviewIn,
    StageChange,
    Timeline,
    UseIn,
    VersionLinks,
    VersionUpdate,
)
from .requests import RequestService

__all__ = ["router"]

router = ServiceRouter(tags=["registry"])


async def catalog_service(state: AppStateDep) -> RegistryCatalog:
    return RegistryCatalog.of(state)


async def request_service(state: AppStateDep) -> RequestService:
    return RequestService.of(state)


CatalogDep = Annotated[RegistryCatalog, Depends(catalog_service)]
RequestsDep = Annotated[RequestService, Depends(request_service)]
RegistryRef = Annotated[
    str,
    Path(min_length=1, max_length=200, description="the registry's id, or `entity:name` (e.g. `acme:model`)"),
]
Model = Annotated[str, Path(min_length=1, max_length=128, description="the registered model's name")]
Label = Annotated[str, Path(min_length=1, max_length=128, description="vN, latest, an alias or a stage")]
RequestId = Annotated[str, Path(min_length=1, max_length=64)]
BASE = "/registries/{registry}"
MODEL = f"{BASE}/models/{{model}}"
VERSION = f"{MODEL}/versions/{{label}}"
REQUEST = f"{BASE}/requests/{{request_id}}"


# -- registries ------------------------------------------------------------------------
@router.get("/registries")
def list_registries(
    caller: CallerDep, svc: CatalogDep, entity: Annotated[str | None, Query(max_length=128)] = None
) -> Registries:
    return Registries(registries=svc.registries.listing(caller, entity))


@router.post("/registries", status_code=status.HTTP_201_CREATED)
def create_registry(body: RegistryCreate, caller: CallerDep, svc: CatalogDep, response: Response) -> Registry:
    """Create a registry; idempotent per (entity, name): an existing one answers 200."""
    registry, created = svc.registries.create(caller, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return registry


@router.get(BASE)
def get_registry(registry: RegistryRef, caller: CallerDep, svc: CatalogDep) -> Registry:
    return svc.registries.get(caller, registry)


@router.patch(BASE)
def update_registry(
    registry: RegistryRef, body: RegistryUpdate, caller: CallerDep, svc: CatalogDep
) -> Registry:
    return svc.registries.update(caller, registry, body)


@router.get(f"{BASE}/grants")
def list_registry_grants(registry: RegistryRef, caller: CallerDep, svc: CatalogDep) -> list[RegistryGrantOut]:
    return svc.registries.grants(caller, registry)


@router.put(f"{BASE}/grants")
def put_registry_grant(
    registry: RegistryRef, body: RegistryGrantIn, caller: CallerDep, svc: CatalogDep
) -> RegistryGrantOut:
    """Give (or replace) a principal's permissions on the registry (`*`) or one registered model."""
    return svc.registries.put_grant(caller, registry, body)


@router.delete(f"{BASE}/grants", status_code=status.HTTP_204_NO_CONTENT)
def delete_registry_grant(
    registry: RegistryRef,
    caller: CallerDep,
    svc: CatalogDep,
    kind: Literal["registry", "registered_model"],
    principal: Annotated[str, Query(min_length=3, max_length=140)],
    resource_id: Annotated[str, Query(min_length=1, max_length=128)] = "*",
) -> Response:
    svc.registries.delete_grant(caller, registry, kind, resource_id, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{BASE}/subscription")
def get_registry_subscription(
    registry: RegistryRef, caller: CallerDep, svc: CatalogDep, state: AppStateDep
) -> Subscription:
    item = svc.registries.item(caller, registry)
    return notification_service(state).stored_subscription(caller, item["id"])


@router.put(f"{BASE}/subscription")
def set_registry_subscription(
    registry: RegistryRef,
    body: RegistrySubscriptionSet,
    caller: CallerDep,
    svc: CatalogDep,
    state: AppStateDep,
) -> Subscription:
    """What to hear about in this registry: in-app, plus email and your webhooks ([] stops)."""
    item = svc.registries.item(caller, registry, Permission.REGISTRY_READ)
    return notification_service(state).save_subscription(caller, item["id"], body)


# -- registered models ------------------------------------------------------------------------
@router.get(f"{BASE}/models")
def list_models(
    registry: RegistryRef,
    caller: CallerDep,
    svc: CatalogDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> RegisteredModels:
    return RegisteredModels(models=svc.models(caller, registry, q))


@router.get(MODEL)
def get_model(registry: RegistryRef, model: Model, caller: CallerDep, svc: CatalogDep) -> RegisteredModel:
    return svc.model(caller, registry, model)


@router.put(MODEL)
def put_model(
    registry: RegistryRef, model: Model, body: RegisteredModelIn, caller: CallerDep, svc: CatalogDep
) -> RegisteredModel:
    """Create the registered model, or change its description, tags or metadata."""
    return svc.put_model(caller, registry, model, body)


@router.delete(MODEL, status_code=status.HTTP_204_NO_CONTENT)
def delete_model(registry: RegistryRef, model: Model, caller: CallerDep, svc: CatalogDep) -> Response:
    svc.delete_model(caller, registry, model)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{MODEL}/timeline")
def model_timeline(registry: RegistryRef, model: Model, caller: CallerDep, svc: CatalogDep) -> Timeline:
    return svc.timeline(caller, registry, model)


# -- versions ------------------------------------------------------------------------
@router.post(f"{MODEL}/versions", status_code=status.HTTP_201_CREATED)
def link_version(
    registry: RegistryRef, model: Model, body: LinkIn, caller: CallerDep, svc: CatalogDep, response: Response
) -> RegisteredVersion:
    """Link an artifact version; linking the same one again answers 200 with its version."""
    version = svc.link(caller, registry, model, body)
    if not version.created:
        response.status_code = status.HTTP_200_OK
    return version


@router.get(f"{MODEL}/versions")
def list_versions(
    registry: RegistryRef, model: Model, caller: CallerDep, svc: CatalogDep
) -> RegisteredVersions:
    return RegisteredVersions(versions=svc.versions(caller, registry, model))


@router.get(VERSION)
def get_version(
    registry: RegistryRef, model: Model, label: Label, caller: CallerDep, svc: CatalogDep
) -> RegisteredVersion:
    return svc.version(caller, registry, model, label)


@router.patch(VERSION)
def update_version(
    registry: RegistryRef, model: Model, label: Label, body: VersionUpdate, caller: CallerDep, svc: CatalogDep
) -> RegisteredVersion:
    return svc.update_version(caller, registry, model, label, body)


@router.delete(VERSION, status_code=status.HTTP_204_NO_CONTENT)
def delete_version(
    registry: RegistryRef, model: Model, label: Label, caller: CallerDep, svc: CatalogDep
) -> Response:
    """Unlink the version (the artifact stays); refused while it is in Production."""
    svc.delete_version(caller, registry, model, label)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{VERSION}/aliases")
def change_aliases(
    registry: RegistryRef, model: Model, label: Label, body: AliasChange, caller: CallerDep, svc: CatalogDep
) -> RegisteredVersion:
    """Set or take off free aliases; protected ones only for registry admins (others request them)."""
    return svc.change_aliases(caller, registry, model, label, body)


@router.post(f"{VERSION}/stage")
def change_stage(
    registry: RegistryRef, model: Model, label: Label, body: StageChange, caller: CallerDep, svc: CatalogDep
) -> RegisteredVersion:
    """Move the version to a stage; protected stages only for registry admins (others request them)."""
    return svc.change_stage(caller, registry, model, label, body)


@router.get(f"{VERSION}/links")
def version_links(
    registry: RegistryRef, model: Model, label: Label, caller: CallerDep, svc: CatalogDep
) -> VersionLinks:
    return svc.links(caller, registry, model, label)


@router.post(f"{VERSION}/evaluations")
def add_evaluation(
    registry: RegistryRef, model: Model, label: Label, body: EvaluationIn, caller: CallerDep, svc: CatalogDep
) -> Evaluation:
    return svc.add_evaluation(caller, registry, model, label, body)


@router.post(f"{VERSION}/deployments", status_code=status.HTTP_201_CREATED)
def add_deployment(
    registry: RegistryRef, model: Model, label: Label, body: DeploymentIn, caller: CallerDep, svc: CatalogDep
) -> Deployment:
    return svc.add_deployment(caller, registry, model, label, body)


@router.get(f"{VERSION}/files")
def version_files(
    registry: RegistryRef,
    model: Model,
    label: Label,
    caller: CallerDep,
    svc: CatalogDep,
    prefix: Annotated[str, Query(max_length=1024)] = "",
    offset: Annotated[int, Query(ge=0, le=2**53)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_FILE_PAGE)] = 100,
    urls: bool = False,
) -> FilePage:
    """The linked artifact version's files; `urls=true` (presigned GETs) needs registry:download."""
    return svc.files(caller, registry, model, label, prefix=prefix, offset=offset, limit=limit, urls=urls)


@router.post(f"{VERSION}/used")
def record_use(
    registry: RegistryRef, model: Model, label: Label, body: UseIn, caller: CallerDep, svc: CatalogDep
) -> RegisteredVersion:
    """A run used this version (run.use_model): its artifact version becomes the run's input."""
    return svc.record_use(caller, registry, model, label, body.run_id)


@router.get(f"{VERSION}/manifest")
def version_manifest(
    registry: RegistryRef, model: Model, label: Label, caller: CallerDep, svc: CatalogDep
) -> dict[str, str]:
    """A presigned GET of the linked artifact version's manifest (registry:download)."""
    return {"url": svc.manifest_url(caller, registry, model, label)}


# -- requests ------------------------------------------------------------------------
@router.post(f"{BASE}/requests", status_code=status.HTTP_201_CREATED)
def create_request(
    registry: RegistryRef, body: PromotionRequestIn, caller: CallerDep, svc: RequestsDep, response: Response
) -> PromotionRequest:
    """Ask for a stage or alias move; the same pending request again answers 200 with that one."""
    request, created = svc.create(caller, registry, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return request


@router.get(f"{BASE}/requests")
def list_requests(
    registry: RegistryRef,
    caller: CallerDep,
    svc: RequestsDep,
    status_: Annotated[
        Literal["pending", "approved", "rejected", "cancelled"] | None, Query(alias="status")
    ] = None,
    model: Annotated[str | None, Query(max_length=128)] = None,
) -> PromotionRequests:
    return PromotionRequests(requests=svc.listing(caller, registry, status=status_, model=model))


@router.get("/registry-requests")
def review_inbox(caller: CallerDep, svc: RequestsDep) -> PromotionRequests:
    """The caller's review inbox: the pending requests it may approve, across the registries of its
    entities (a registry's own list, GET /registries/{registry}/requests, filters by any status)."""
    return PromotionRequests(requests=svc.inbox(caller))


@router.get(REQUEST)
def get_request(
    registry: RegistryRef, request_id: RequestId, caller: CallerDep, svc: RequestsDep
) -> PromotionRequest:
    return svc.get(caller, registry, request_id)


@router.post(f"{REQUEST}/approve")
def approve_request(
    registry: RegistryRef, request_id: RequestId, body: ReviewIn, caller: CallerDep, svc: RequestsDep
) -> PromotionRequest:
    """Approve: the move, the request's close and the audit line happen in one transaction."""
    return svc.approve(caller, registry, request_id, body)


@router.post(f"{REQUEST}/reject")
def reject_request(
    registry: RegistryRef, request_id: RequestId, body: ReviewIn, caller: CallerDep, svc: RequestsDep
) -> PromotionRequest:
    """Reject, with a comment saying why."""
    return svc.reject(caller, registry, request_id, body)


@router.post(f"{REQUEST}/cancel")
def cancel_request(
    registry: RegistryRef, request_id: RequestId, body: ReviewIn, caller: CallerDep, svc: RequestsDep
) -> PromotionRequest:
    """Withdraw a pending request (its requester, or a registry admin)."""
    return svc.cancel(caller, registry, request_id, body)
