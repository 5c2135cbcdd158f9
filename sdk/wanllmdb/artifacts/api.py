"""The public API's artifact calls (``Api().artifact``, ``artifacts``, ``artifact_collections``) and a
public run's ``used_artifacts`` / ``logged_artifacts``, as wandb's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wanllmdb.artifacts.artifact import Artifact
from wanllmdb.artifacts.context import ArtifactContext
from wanllmdb.artifacts.http import quote_segment
from wanllmdb.artifacts.names import parse_path
from wanllmdb.artifacts.remote import from_version, load_version
from wanllmdb.errors import UsageError
from wanllmdb.settings import Settings

__all__ = ["ArtifactCollection", "ArtifactQueries"]


@dataclass
class ArtifactCollection:
    """A named series of versions (wandb's ArtifactCollection)."""

    name: str
    type: str
    description: str | None
    version_count: int
    latest: str | None
    project: str
    _queries: ArtifactQueries

    def artifacts(self) -> list[Artifact]:
        return self._queries.versions(self.project, self.name)

    def __repr__(self) -> str:
        return f"<ArtifactCollection {self.name} ({self.type}, {self.version_count} versions)>"


class ArtifactQueries:
    def __init__(self, settings: Settings, entity: str | None) -> None:
        self.ctx = ArtifactContext.of(settings, entity=entity)

    def _project(self, project: str | None) -> str:
        """`entity/project` or `project` (the default entity's) → a route's `entity:project`."""
        if not project:
            raise UsageError("say which project: 'entity/project' or 'project'")
        parts = project.strip("/").split("/")
        if len(parts) == 1:
            return f"{self.ctx.entity}:{parts[0]}"
        if len(parts) == 2:
            return f"{parts[0]}:{parts[1]}"
        raise UsageError(f"project {project!r}: use 'entity/project' or 'project'")

    def artifact(self, name: str, type: str | None = None) -> Artifact:
        path = parse_path(name)
        if path.project is None:
            raise UsageError(
                f"Api().artifact({name!r}): use 'entity/project/name:alias' or 'project/name:alias'"
            )
        ref = path.project_ref(entity=self.ctx.entity, project=None)
        artifact = load_version(self.ctx, ref, path.name, path.alias)
        if type is not None and artifact.type != type:
            raise UsageError(f"artifact {name} is a {artifact.type!r}, not {type!r}")
        return artifact

    def versions(self, project_ref: str, name: str) -> list[Artifact]:
        route = f"/projects/{quote_segment(project_ref)}/artifacts/{quote_segment(name)}/versions"
        return [from_version(self.ctx, project_ref, v) for v in self.ctx.http.api("GET", route)["versions"]]

    def artifacts(self, type_name: str, name: str) -> list[Artifact]:
        """Every live version of the collection `entity/project/name` (or `project/name`)."""
        project, _, collection = name.strip("/").rpartition("/")
        ref = self._project(project)
        versions = self.versions(ref, parse_path(collection).name)
        return [v for v in versions if v.type == type_name]

    def collections(self, project: str, type_name: str | None = None) -> list[ArtifactCollection]:
        ref = self._project(project)
        params: dict[str, Any] = {"type": type_name}
        answer = self.ctx.http.api("GET", f"/projects/{quote_segment(ref)}/artifacts", params=params)
        return [
            ArtifactCollection(
                c["name"],
                c["type"],
                c.get("description"),
                int(c["version_count"]),
                c.get("latest"),
                ref,
                self,
            )
            for c in answer["collections"]
        ]

    def run_artifacts(self, run_id: str, project_id: str) -> dict[str, list[Artifact]]:
        answer = self.ctx.http.api("GET", f"/runs/{run_id}/artifacts", params={"project_id": project_id})
        return {
            side: [from_version(self.ctx, v["project_id"], v) for v in answer[side]]
            for side in ("used", "logged")
        }
