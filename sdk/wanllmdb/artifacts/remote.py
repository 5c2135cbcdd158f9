"""A logged artifact's server side: loading a version, aliases, deletion, and the runs around it.

Each call goes to the artifact's source (source.py): its project's routes, or a registry's for a
registered version, which answers the same shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.names import check_alias
from wanllmdb.artifacts.source import project_version_route

if TYPE_CHECKING:
    from wanllmdb.artifacts.artifact import Artifact
    from wanllmdb.artifacts.context import ArtifactContext

__all__ = ["apply_aliases", "delete_version", "from_version", "load_version", "version_runs"]


def from_version(ctx: ArtifactContext, project_ref: str, attrs: dict[str, Any]) -> Artifact:
    """An Artifact for a version the server answered with (ArtifactVersion)."""
    from wanllmdb.artifacts.artifact import Artifact

    artifact = Artifact(attrs["name"], attrs["type"], attrs.get("description"), attrs.get("metadata") or {})
    artifact._attrs = dict(attrs)
    artifact._ctx = ctx
    artifact._project_ref = project_ref
    artifact._saved_aliases = list(attrs.get("aliases") or [])
    artifact._aliases = list(artifact._saved_aliases)
    artifact._tags = list(attrs.get("tags") or [])
    artifact._done.set()
    return artifact


def load_version(ctx: ArtifactContext, project_ref: str, name: str, label: str) -> Artifact:
    return from_version(
        ctx, project_ref, ctx.http.api("GET", project_version_route(project_ref, name, label))
    )


def apply_aliases(artifact: Artifact) -> None:
    """Send the difference between the aliases the server has and the ones now on the object."""
    ctx = artifact._logged()
    now = {a for a in artifact._aliases if a != "latest"}
    before = {a for a in artifact._saved_aliases if a != "latest"}
    body = {"add": sorted(check_alias(a) for a in now - before), "remove": sorted(before - now)}
    if body["add"] or body["remove"]:
        source = artifact._version_source
        attrs = source.attrs(ctx.http.api("POST", f"{source.route}/aliases", body))
        artifact._attrs = attrs
        artifact._saved_aliases = list(attrs.get("aliases") or [])
        artifact._aliases = list(artifact._saved_aliases)


def delete_version(artifact: Artifact) -> None:
    ctx = artifact._logged()
    ctx.http.api("DELETE", artifact._version_source.route)
    if artifact._attrs is not None:
        artifact._attrs["state"] = "deleted"


def version_runs(artifact: Artifact) -> tuple[Any, list[Any]]:
    """(the run that logged it or None, the runs that used it) as public-API runs: one query for the
    edges, then each run's record."""
    from wanllmdb.api._http import ApiHttp
    from wanllmdb.api._run import Run

    ctx = artifact._logged()
    edges = ctx.http.api("GET", f"{artifact._version_source.lineage_route}/runs")
    http = ApiHttp(ctx.settings.base_url, ctx.settings.api_key)
    project_id = artifact._attrs["project_id"] if artifact._attrs else None

    def run(run_id: str, project: str | None) -> Run:
        return Run(http, http.get(f"/runs/{run_id}", project_id=project))

    # The producer is in the artifact's project; a user may be in another (cross-project use).
    producer = run(edges["logged_by"], project_id) if edges.get("logged_by") else None
    return producer, [run(r, None) for r in edges.get("used_by") or []]
