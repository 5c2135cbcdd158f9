"""Linking an artifact version into a registered model: `artifact.link()` now, `run.link_artifact()` later.

A link names a committed version (`name:vN` in its project), so it waits for the commit. In a run,
`log_artifact` commits on a background thread; `run.link_artifact` chains the link on a thread of its
own after that commit and returns the registered version at once, still pending (its `wait()` blocks
until the link landed, as an artifact's does until its commit). `finish()` waits for it. A link that
fails is a warning on the terminal and the pending version's error: it never stops training.

The first link into a registry that does not exist creates it (`POST /registries` is idempotent);
the server refuses that to a caller who may not, and the error says who can.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.names import check_alias
from wanllmdb.errors import UsageError
from wanllmdb.registry.linked import display, fill_linked, model_route, registry_route
from wanllmdb.registry.paths import RegistryPath, parse_registry_path
from wanllmdb.rest import ApiError
from wanllmdb.termlog import termlog, termwarn

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.artifacts.context import ArtifactContext

__all__ = ["link_now", "link_version", "start_link"]


def _aliases(aliases: list[str] | None) -> list[str]:
    """User aliases, checked as an artifact's (never `vN`); `latest` is the registry's to set."""
    if isinstance(aliases, str):
        raise UsageError(f"aliases={aliases!r}: give a list, e.g. aliases=[{aliases!r}]")
    return sorted({check_alias(a) for a in aliases or [] if a != "latest"})


def source_of(artifact: Artifact) -> tuple[str, str]:
    """(project id, `name:vN`) of the committed version a link points at; a link's is its source's."""
    attrs = artifact._attrs or {}
    if artifact.is_link:
        source = attrs["source"]
        return str(source["project_id"]), f"{source['name']}:{source['version']}"
    return str(attrs["project_id"]), f"{artifact._name}:{attrs['version']}"


def owner_of(artifact: Artifact) -> str | None:
    """The entity of the artifact's project, when the artifact knows it: a link's default entity."""
    if artifact._display and "/" in artifact._display:
        return artifact._display.split("/")[0]
    if artifact._project_ref and ":" in artifact._project_ref:
        return artifact._project_ref.split(":")[0]
    return None


def link_version(
    ctx: ArtifactContext,
    artifact: Artifact,
    target: RegistryPath,
    aliases: list[str],
    *,
    force: bool = False,
    description: str | None = None,
) -> dict[str, Any]:
    """POST the link of a committed `artifact` to `target` (its entity set); returns the
    RegisteredVersion. A 404 of a registry that does not exist creates it, then links again."""
    assert target.entity is not None
    project_id, name = source_of(artifact)
    body: dict[str, Any] = {"project_id": project_id, "artifact": name, "aliases": aliases, "force": force}
    if description is not None:
        body["description"] = description
    route = f"{model_route(target.ref(target.entity), target.model)}/versions"
    try:
        return dict(ctx.http.api("POST", route, body))
    except ApiError as exc:
        if exc.status != 404 or not _create_missing_registry(ctx, target.entity, target.registry):
            raise
    return dict(ctx.http.api("POST", route, body))


def _create_missing_registry(ctx: ArtifactContext, entity: str, name: str) -> bool:
    """Create `entity`'s registry `name` if it is missing; False when it exists (a 404 of a link is
    then about the artifact or the project)."""
    try:
        ctx.http.api("GET", registry_route(f"{entity}:{name}"))
        return False
    except ApiError as exc:
        if exc.status != 404:
            raise
    try:
        ctx.http.api("POST", "/registries", {"entity": entity, "name": name})
    except ApiError as exc:
        if exc.status in (401, 403):
            raise ApiError(
                exc.status,
                exc.code,
                f"registry {entity}/{name} does not exist and you may not create it ({exc.message}); "
                f"ask an admin of {entity} to create it, or link to a registry you can write",
                exc.field,
            ) from None
        raise
    termlog(f"created registry {entity}/{name}")
    return True


def link_now(artifact: Artifact, target_path: str, aliases: list[str] | None) -> Artifact:
    """`artifact.link()`: wait for the commit, link, return the registered version (errors raise)."""
    from wanllmdb.registry.linked import linked_artifact

    target = parse_registry_path(target_path, label=False)
    wanted = _aliases(aliases)
    ctx = artifact._logged()
    entity = target.entity or owner_of(artifact) or ctx.entity
    version = link_version(ctx, artifact, target.with_entity(entity), wanted)
    return linked_artifact(ctx, version, entity=entity, registry=target.registry)


def start_link(
    artifact: Artifact,
    target_path: str,
    aliases: list[str] | None,
    *,
    ctx: ArtifactContext,
    entity: Callable[[], str],
    after: Artifact | None = None,
) -> Artifact:
    """`run.link_artifact()`: check the arguments now, link on a thread once `artifact` is committed
    and the link `after` (the run's previous one) is done, so a run's links land in the order they
    were asked for and `latest` names the last. Returns the registered version, pending until then;
    `entity()` is asked on that thread."""
    from wanllmdb.artifacts.artifact import Artifact

    target = parse_registry_path(target_path, label=False)
    wanted = _aliases(aliases)
    linked = Artifact(target.model, artifact.type)
    linked._logging = True
    linked._done.clear()

    def work() -> None:
        try:
            if after is not None:
                after._done.wait()  # its failure is its own: this link goes ahead
            artifact.wait()
            owner = target.entity or entity()
            version = link_version(ctx, artifact, target.with_entity(owner), wanted)
            fill_linked(linked, ctx, version, display(owner, target.registry))
            termlog(f"artifact {artifact.name} linked to {owner}/{target.registry}/{linked.name}")
        except BaseException as exc:
            linked._error = exc
            reason = getattr(exc, "message", None) or str(exc)
            termwarn(f"artifact {artifact._name} was not linked to {target_path}: {reason}")
        finally:
            linked._logging = False
            linked._done.set()

    threading.Thread(target=work, name=f"wanllmdb-link-{target.model}", daemon=True).start()
    return linked
