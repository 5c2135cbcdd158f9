"""Which artifact a path to read names: a project's artifact version, or a registered version.

`Api().artifact(path)` and `run.use_model(path)` take either. The rule (docs/registry.md, "SDK and CLI"):
  - `wandb-registry-<r>/<m>:label` and `model-registry/<m>:label` (with or without an entity in front)
    are registered versions;
  - any other `a/b:label` or `e/a/b:label` is project `a`'s artifact `b` first; only when project `a`
    does not exist (for this caller) is it registry `a`'s model `b`.
So a registry never hides a project of the same name, and `model/classifier:production` reaches the
registry for whoever has no project called `model`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wanllmdb.artifacts.http import quote_segment
from wanllmdb.registry.linked import linked_artifact, version_route
from wanllmdb.registry.paths import RegistryPath, names_registry, parse_registry_path
from wanllmdb.rest import ApiError

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.artifacts.context import ArtifactContext

__all__ = ["load_registered", "names_a_registry", "resolve_artifact"]


def names_a_registry(path: str) -> bool:
    """The path says it is a registry's (`wandb-registry-` or `model-registry` before the model)."""
    parts = path.strip("/").split("/") if isinstance(path, str) else []
    return 2 <= len(parts) <= 3 and names_registry(parts[-2])


def load_registered(ctx: ArtifactContext, path: RegistryPath, default_entity: str) -> Artifact:
    entity = path.entity or default_entity
    answer = ctx.http.api("GET", version_route(path.ref(entity), path.model, path.label or "latest"))
    return linked_artifact(ctx, answer, entity=entity, registry=path.registry)


def _project_missing(ctx: ArtifactContext, entity: str, project: str) -> bool:
    try:
        ctx.http.api("GET", f"/projects/by-name/{quote_segment(entity)}/{quote_segment(project)}")
    except ApiError as exc:
        if exc.status == 404:
            return True
        raise
    return False


def resolve_artifact(
    ctx: ArtifactContext,
    path: str,
    *,
    default_entity: Callable[[], str],
    load_project: Callable[[], Artifact],
) -> Artifact:
    """The artifact `path` names, by the rule above. `load_project()` reads it as a project's (and
    raises its ApiError); a path of one part is always a project's."""
    if names_a_registry(path):
        return load_registered(ctx, parse_registry_path(path, label=True), default_entity())
    parts = path.strip("/").split("/")
    try:
        return load_project()
    except ApiError as exc:
        if exc.status != 404 or len(parts) not in (2, 3):
            raise
        entity = parts[0] if len(parts) == 3 else default_entity()
        if not _project_missing(ctx, entity, parts[-2]):
            raise
        not_a_project = exc
    registered = parse_registry_path(path, label=True)
    try:
        return load_registered(ctx, registered, entity)
    except ApiError as exc:
        if exc.status != 404:
            raise
        raise ApiError(
            404,
            "not_found",
            f"{path}: there is no project {entity}/{parts[-2]} ({not_a_project.message}), and the "
            f"registry has no {registered.with_entity(entity)} ({exc.message})",
            exc.field,
        ) from None
