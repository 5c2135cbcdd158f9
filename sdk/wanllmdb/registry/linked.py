"""A registered version as an ``Artifact`` (wandb's linked artifact), read through the registry's routes.

Its name is the registered model's, its version the model's vN, its aliases and stage the registry's;
type, digest, size and files are the source artifact version's. The files come through
`/registries/{registry}/models/{model}/versions/{vN}/files` (the registry's `download` permission), so
a registry reader downloads without reading the source's project (artifacts/source.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.http import quote_segment
from wanllmdb.artifacts.source import project_version_route

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.artifacts.context import ArtifactContext

__all__ = [
    "RegistryVersion",
    "artifact_attrs",
    "display",
    "fill_linked",
    "linked_artifact",
    "model_route",
    "registry_route",
    "version_route",
]


def registry_route(registry_ref: str) -> str:
    """`/registries/{registry}`: an id, or `entity:name`."""
    return f"/registries/{quote_segment(registry_ref)}"


def model_route(registry_ref: str, model: str) -> str:
    return f"{registry_route(registry_ref)}/models/{quote_segment(model)}"


def version_route(registry_ref: str, model: str, label: str) -> str:
    return f"{model_route(registry_ref, model)}/versions/{quote_segment(label)}"


def artifact_attrs(version: dict[str, Any]) -> dict[str, Any]:
    """A RegisteredVersion as an artifact version's attributes. Description and metadata: the
    registered version's own, over the source's (when the server sends them)."""
    source = dict(version["source"])
    return {
        "id": source["id"],
        "project_id": source["project_id"],
        "name": version["model"],
        "type": source["type"],
        "version": version["version"],
        "index": version.get("index"),
        "digest": source["digest"],
        "file_count": source["file_count"],
        "size": source["size"],
        "description": version.get("description") or source.get("description"),
        "metadata": {**(source.get("metadata") or {}), **(version.get("metadata") or {})},
        "aliases": list(version.get("aliases") or []),
        "tags": list(version.get("tags") or []),
        # The link keeps the files alive even when the source version was deleted.
        "state": "committed",
        "created_at": version.get("created_at"),
        "created_by": version.get("created_by"),
        "logged_by_run": version.get("training_run"),
        "stage": version.get("stage"),
        "model_card": version.get("model_card", ""),
        "registry_id": version["registry_id"],
        "created": version.get("created", True),  # false: this artifact version was linked before
        "source": source,
    }


@dataclass(frozen=True)
class RegistryVersion:
    """artifacts.source.VersionSource of a registered version: routes by registry id, so a renamed
    registry or another spelling of its entity still reaches the same version."""

    registry_id: str
    model: str
    version: str
    source_project: str
    source_name: str
    source_version: str

    @property
    def route(self) -> str:
        return version_route(self.registry_id, self.model, self.version)

    @property
    def lineage_route(self) -> str:
        return project_version_route(self.source_project, self.source_name, self.source_version)

    def attrs(self, answer: dict[str, Any]) -> dict[str, Any]:
        return artifact_attrs(answer)


def fill_linked(artifact: Artifact, ctx: ArtifactContext, version: dict[str, Any], display: str) -> Artifact:
    """Make `artifact` the registered version `version` (the answer of a link or a version GET)."""
    attrs = artifact_attrs(version)
    source = attrs["source"]
    artifact._attrs = attrs
    artifact._ctx = ctx
    artifact._project_ref = str(source["project_id"])
    artifact._source = RegistryVersion(
        str(version["registry_id"]),
        str(version["model"]),
        str(version["version"]),
        str(source["project_id"]),
        str(source["name"]),
        str(source["version"]),
    )
    artifact.description = attrs["description"]
    artifact._metadata = dict(attrs["metadata"])
    artifact._saved_aliases = list(attrs["aliases"])
    artifact._aliases = list(artifact._saved_aliases)
    artifact._tags = list(attrs["tags"])
    artifact._display = display
    artifact._manifest = None
    return artifact


def linked_artifact(ctx: ArtifactContext, version: dict[str, Any], *, entity: str, registry: str) -> Artifact:
    """A new Artifact for a RegisteredVersion of `entity`'s registry `registry`."""
    from wanllmdb.artifacts.artifact import Artifact

    artifact = Artifact(version["model"], version["source"]["type"])
    fill_linked(artifact, ctx, version, display(entity, registry))
    artifact._done.set()
    return artifact


def display(entity: str, registry: str) -> str:
    """`entity/wandb-registry-<registry>`: the qualified name's head, as wandb writes it, so
    `Api().artifact(artifact.qualified_name)` finds the same registered version."""
    return f"{entity}/wandb-registry-{registry}"
