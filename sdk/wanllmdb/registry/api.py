"""`Api().registries()`, `api.registry(name)` and their registered models, under wandb's names.

wandb calls a registered model a collection (`registry.collections()`, `collection.artifacts()`); both
names are here. A registered model's versions are ``Artifact`` objects read through the registry
(linked.py), ready to `download()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.context import ArtifactContext
from wanllmdb.artifacts.http import quote_segment
from wanllmdb.registry.linked import linked_artifact, model_route, registry_route, version_route
from wanllmdb.registry.paths import REGISTRY_PREFIX, RegistryPath, parse_registry
from wanllmdb.settings import Settings

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact

__all__ = ["RegisteredModel", "Registry", "RegistryClient"]


@dataclass
class RegisteredModel:
    """A registered model (wandb's registry collection): its versions, current stages and aliases."""

    name: str
    entity: str
    registry: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    version_count: int = 0
    latest: str | None = None
    stages: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None
    permissions: list[str] = field(default_factory=list)
    registry_id: str = ""
    _queries: RegistryClient | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        """`entity/wandb-registry-<registry>/<name>`, as `Api().artifact()` takes it (add `:label`)."""
        return f"{self.entity}/{REGISTRY_PREFIX}{self.registry}/{self.name}"

    full_name = path

    def versions(self) -> list[Artifact]:
        """Every version, as Artifacts read through the registry (newest last)."""
        assert self._queries is not None
        return self._queries.versions(self)

    artifacts = versions  # wandb's ArtifactCollection.artifacts()

    def __repr__(self) -> str:
        return f"<RegisteredModel {self.entity}/{self.registry}/{self.name} ({self.version_count} versions)>"


@dataclass
class Registry:
    """A registry of an entity: its settings and registered models."""

    id: str
    name: str
    entity: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    model_count: int = 0
    created_at: str | None = None
    created_by: str | None = None
    permissions: list[str] = field(default_factory=list)
    _queries: RegistryClient | None = field(default=None, repr=False, compare=False)

    @property
    def full_name(self) -> str:
        """`wandb-registry-<name>`, wandb's spelling of it in paths."""
        return f"{REGISTRY_PREFIX}{self.name}"

    @property
    def organization(self) -> str:
        return self.entity

    @property
    def artifact_types(self) -> list[str]:
        return list(self.settings.get("artifact_types") or [])

    def collections(self, filter: str | None = None) -> list[RegisteredModel]:
        """The registered models, with their stages and aliases; `filter` searches their names."""
        assert self._queries is not None
        return self._queries.models(self, q=filter)

    models = collections

    def collection(self, name: str) -> RegisteredModel:
        assert self._queries is not None
        return self._queries.model(self, name)

    def versions(self) -> Iterator[Artifact]:
        """Every version of every registered model."""
        for model in self.collections():
            yield from model.versions()

    def __repr__(self) -> str:
        return f"<Registry {self.entity}/{self.name} ({self.model_count} models)>"


class RegistryClient:
    """The registry's routes, for the public API's objects and the CLI."""

    def __init__(self, settings: Settings, entity: str | None) -> None:
        self.ctx = ArtifactContext.of(settings, entity=entity)

    def _registry(self, data: dict[str, Any]) -> Registry:
        return Registry(
            id=data["id"],
            name=data["name"],
            entity=data["entity"],
            description=data.get("description") or "",
            settings=dict(data.get("settings") or {}),
            model_count=int(data.get("model_count") or 0),
            created_at=data.get("created_at"),
            created_by=data.get("created_by"),
            permissions=list(data.get("permissions") or []),
            _queries=self,
        )

    def _model(self, data: dict[str, Any]) -> RegisteredModel:
        return RegisteredModel(
            name=data["name"],
            entity=data["entity"],
            registry=data["registry"],
            description=data.get("description") or "",
            tags=list(data.get("tags") or []),
            metadata=dict(data.get("metadata") or {}),
            version_count=int(data.get("version_count") or 0),
            latest=data.get("latest"),
            stages={k: list(v) for k, v in (data.get("stages") or {}).items()},
            aliases=dict(data.get("aliases") or {}),
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            permissions=list(data.get("permissions") or []),
            registry_id=data.get("registry_id") or "",
            _queries=self,
        )

    def registries(self, entity: str | None = None) -> list[Registry]:
        answer = self.ctx.http.api("GET", "/registries", params={"entity": entity})
        return [self._registry(r) for r in answer["registries"]]

    def registry(self, name: str, entity: str | None = None) -> Registry:
        """`name` (`wandb-registry-` prefix optional) or `entity/name`, of `entity` or the default's."""
        named_entity, bare = parse_registry(name)
        owner = entity or named_entity or self.ctx.entity
        return self._registry(self.ctx.http.api("GET", registry_route(f"{owner}:{bare}")))

    def models(self, registry: Registry, *, q: str | None = None) -> list[RegisteredModel]:
        answer = self.ctx.http.api("GET", f"{registry_route(registry.id)}/models", params={"q": q})
        return [self._model(m) for m in answer["models"]]

    def model(self, registry: Registry, name: str) -> RegisteredModel:
        return self._model(self.ctx.http.api("GET", model_route(registry.id, name)))

    def versions(self, model: RegisteredModel) -> list[Artifact]:
        ref = model.registry_id or f"{model.entity}:{model.registry}"
        answer = self.ctx.http.api("GET", f"{model_route(ref, model.name)}/versions")
        return [
            linked_artifact(self.ctx, v, entity=model.entity, registry=model.registry)
            for v in answer["versions"]
        ]

    # -- changes (the CLI's link, promote, request, approve, reject, cancel, deploy) ---------------
    def version_route(self, path: RegistryPath) -> str:
        return version_route(path.ref(self.ctx.entity), path.model, path.label or "latest")

    def set_stage(self, path: RegistryPath, stage: str, comment: str = "") -> dict[str, Any]:
        body = {"stage": stage, "comment": comment}
        return dict(self.ctx.http.api("POST", f"{self.version_route(path)}/stage", body))

    def change_aliases(
        self, path: RegistryPath, *, add: list[str] | None = None, remove: list[str] | None = None
    ) -> dict[str, Any]:
        body = {"add": list(add or []), "remove": list(remove or [])}
        return dict(self.ctx.http.api("POST", f"{self.version_route(path)}/aliases", body))

    def deploy(self, path: RegistryPath, target: str, url: str | None = None) -> dict[str, Any]:
        body = {"target": target, **({"url": url} if url else {})}
        return dict(self.ctx.http.api("POST", f"{self.version_route(path)}/deployments", body))

    def request(
        self, path: RegistryPath, *, stage: str | None, alias: str | None, comment: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": path.model, "version": path.label or "latest", "comment": comment}
        body.update({"stage": stage} if stage else {"alias": alias})
        route = f"{registry_route(path.ref(self.ctx.entity))}/requests"
        return dict(self.ctx.http.api("POST", route, body))

    def review(self, registry: str, request_id: str, verdict: str, comment: str) -> dict[str, Any]:
        """`verdict`: approve, reject or cancel."""
        entity, name = parse_registry(registry)
        route = (
            f"{registry_route(f'{entity or self.ctx.entity}:{name}')}/requests/{quote_segment(request_id)}"
        )
        return dict(self.ctx.http.api("POST", f"{route}/{verdict}", {"comment": comment}))

    def requests(
        self, registry: str | None, *, status: str | None, model: str | None = None
    ) -> list[dict[str, Any]]:
        """A registry's requests, or (no registry) the caller's review inbox across registries."""
        if registry is None:
            answer = self.ctx.http.api("GET", "/registry-requests", params={"status": status})
        else:
            entity, name = parse_registry(registry)
            route = f"{registry_route(f'{entity or self.ctx.entity}:{name}')}/requests"
            answer = self.ctx.http.api("GET", route, params={"status": status, "model": model})
        return list(answer["requests"])
