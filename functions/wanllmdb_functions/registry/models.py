"""Request and response shapes of the model registry routes (docs/registry.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..projects.grants import GrantIn

__all__ = [
    "STAGES",
    "AliasChange",
    "Deployment",
    "DeploymentIn",
    "Evaluation",
    "EvaluationIn",
    "LinkIn",
    "PromotionRequest",
    "PromotionRequestIn",
    "PromotionRequests",
    "RegisteredModel",
    "RegisteredModelIn",
    "RegisteredModels",
    "RegisteredVersion",
    "RegisteredVersions",
    "Registries",
    "Registry",
    "RegistryCreate",
    "RegistryGrantIn",
    "RegistryGrantOut",
    "RegistrySettings",
    "RegistryUpdate",
    "ReviewIn",
    "SourceVersion",
    "StageChange",
    "Timeline",
    "TimelineEntry",
    "UseIn",
    "VersionLinks",
    "VersionUpdate",
]

# The lifecycle, in order. A version has exactly one; a new link starts in Development.
STAGES: tuple[str, ...] = ("Development", "Staging", "Production", "Archived")
RequestStatus = Literal["pending", "approved", "rejected", "cancelled"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegistrySettings(_Strict):
    allow_multiple_production: bool = Field(
        default=False, description="several versions of one model may be in Production at once"
    )
    allow_self_approval: bool = Field(default=False, description="a requester may approve their own request")
    protected_aliases: list[str] = Field(
        default_factory=lambda: ["production"],
        max_length=32,
        description="aliases that move only through an approved request or by a registry admin",
    )
    protected_stages: list[str] = Field(
        default_factory=lambda: ["Staging", "Production"],
        max_length=4,
        description="stages a version enters only through an approved request or by a registry admin",
    )
    artifact_types: list[str] = Field(
        default_factory=lambda: ["model"],
        min_length=1,
        max_length=16,
        description="artifact types that may be linked without `force`",
    )


class RegistryCreate(_Strict):
    entity: str = Field(min_length=1, max_length=64, description="the user or organization that owns it")
    name: str = Field(min_length=1, max_length=64, description="e.g. `model`; unique within the entity")
    description: str = Field(default="", max_length=100_000)
    settings: RegistrySettings = Field(default_factory=RegistrySettings)


class RegistryUpdate(_Strict):
    description: str | None = Field(default=None, max_length=100_000)
    settings: RegistrySettings | None = None


class Registry(BaseModel):
    id: str
    entity: str
    name: str
    description: str = ""
    settings: RegistrySettings
    model_count: int = 0
    created_at: str
    created_by: str | None = None
    permissions: list[str] = Field(default_factory=list, description="what the caller may do here")


class Registries(BaseModel):
    registries: list[Registry]


class RegisteredModelIn(_Strict):
    """Create a registered model, or change what is given (omitted fields stay)."""

    description: str | None = Field(default=None, max_length=100_000, description="markdown")
    tags: list[str] | None = Field(default=None, max_length=64)
    metadata: dict[str, Any] | None = None


class RegisteredModel(BaseModel):
    registry_id: str
    registry: str
    entity: str
    name: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    version_count: int = 0
    latest: str | None = Field(default=None, description="vN of the newest live version")
    stages: dict[str, list[str]] = Field(
        default_factory=dict, description="stage → the versions in it (vN), Development left out"
    )
    aliases: dict[str, str] = Field(default_factory=dict, description="alias → the version (vN) it names")
    created_at: str
    updated_at: str
    permissions: list[str] = Field(default_factory=list)


class RegisteredModels(BaseModel):
    models: list[RegisteredModel]


class LinkIn(_Strict):
    """Link an artifact version into a registered model (created on first link). Idempotent: linking
    the same artifact version again returns its registered version (`created: false`)."""

    project_id: str = Field(
        min_length=1, max_length=200, description="the artifact's project: id or entity:name"
    )
    artifact: str = Field(min_length=1, max_length=300, description="name:vN, name:alias or name (latest)")
    aliases: list[str] = Field(default_factory=list, max_length=32)
    force: bool = Field(default=False, description="link an artifact whose type the registry does not take")
    description: str | None = Field(default=None, max_length=100_000)


class SourceVersion(BaseModel):
    """The artifact version a registered version links to: the data stays there."""

    description: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    id: str = Field(description="project:name:vN")
    project_id: str
    name: str
    version: str
    type: str
    digest: str
    file_count: int
    size: int
    state: str = Field(description="committed, or deleted (the link keeps its files)")


class RegisteredVersion(BaseModel):
    registry_id: str
    model: str
    version: str = Field(description="vN within the registered model")
    index: int
    stage: str
    aliases: list[str] = Field(default_factory=list, description="latest on the newest, plus user aliases")
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    model_card: str = Field(default="", description="markdown")
    source: SourceVersion
    training_run: str | None = Field(default=None, description="the run that logged the artifact")
    created_at: str
    created_by: str | None = None
    created: bool = Field(default=True, description="false when this artifact version was linked before")


class RegisteredVersions(BaseModel):
    versions: list[RegisteredVersion]


class VersionUpdate(_Strict):
    description: str | None = Field(default=None, max_length=100_000)
    tags: list[str] | None = Field(default=None, max_length=64)
    metadata: dict[str, Any] | None = None
    model_card: str | None = Field(default=None, max_length=200_000, description="markdown")


class AliasChange(_Strict):
    add: list[str] = Field(default_factory=list, max_length=32)
    remove: list[str] = Field(default_factory=list, max_length=32)


class StageChange(_Strict):
    stage: str = Field(
        min_length=1, max_length=32, description="Development, Staging, Production or Archived"
    )
    comment: str = Field(default="", max_length=10_000)


class UseIn(_Strict):
    """Record that a run used this version (lineage of the linked artifact version)."""

    run_id: str = Field(min_length=1, max_length=64)


class EvaluationIn(_Strict):
    """An evaluation of the version: a run (its summary holds the scores), or a table in a run."""

    run_id: str = Field(min_length=1, max_length=64)
    table: str | None = Field(default=None, max_length=256, description="a table key logged by the run")
    note: str = Field(default="", max_length=10_000)


class Evaluation(EvaluationIn):
    project_id: str
    run_name: str | None = None
    added_by: str
    added_at: str


class DeploymentIn(_Strict):
    target: str = Field(min_length=1, max_length=200, description="where it runs, e.g. `sagemaker:prod-eu`")
    url: str | None = Field(default=None, max_length=2000, description="an http(s) link to the deployment")


class Deployment(DeploymentIn):
    time: str
    by: str


class DatasetLink(BaseModel):
    id: str = Field(description="project:name:vN")
    project_id: str
    name: str
    version: str
    type: str


class VersionLinks(BaseModel):
    training_run: str | None = None
    training_run_project: str | None = None
    datasets: list[DatasetLink] = Field(default_factory=list, description="what the training run used")
    evaluations: list[Evaluation] = Field(default_factory=list)
    deployments: list[Deployment] = Field(default_factory=list)


class PromotionRequestIn(_Strict):
    """Ask to move a version to a stage, or a (protected) alias onto it: exactly one of the two."""

    model: str = Field(min_length=1, max_length=128)
    version: str = Field(min_length=1, max_length=128, description="vN or an alias")
    stage: str | None = Field(default=None, max_length=32)
    alias: str | None = Field(default=None, max_length=128)
    comment: str = Field(default="", max_length=10_000)


class PromotionRequest(BaseModel):
    id: str
    registry_id: str
    registry: str
    entity: str
    model: str
    version: str = Field(description="vN")
    target_kind: Literal["stage", "alias"]
    target: str
    comment: str = ""
    status: RequestStatus
    requested_by: str
    created_at: str
    closed_by: str | None = None
    closed_at: str | None = None
    close_comment: str | None = None


class PromotionRequests(BaseModel):
    requests: list[PromotionRequest]


class ReviewIn(_Strict):
    comment: str = Field(default="", max_length=10_000, description="required to reject")


class TimelineEntry(BaseModel):
    at: str
    by: str
    version: str
    kind: Literal["linked", "unlinked", "stage", "alias", "request"]
    before: str | None = Field(default=None, description="the stage before, or the alias's previous version")
    after: str | None = None
    comment: str = ""
    request_id: str | None = None
    status: str | None = Field(default=None, description="a request's new status")


class Timeline(BaseModel):
    entries: list[TimelineEntry]


class RegistryGrantIn(GrantIn):
    kind: Literal["registry", "registered_model"]  # type: ignore[assignment]
    resource_id: str = Field(
        default="*", min_length=1, max_length=128, description="`*` for the registry, or the model's name"
    )


class RegistryGrantOut(RegistryGrantIn):
    created_by: str
    created_at: str
