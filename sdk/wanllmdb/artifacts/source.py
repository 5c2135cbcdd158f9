"""Where a logged version is read from: its project's artifact routes, or a registry's.

A registered version links an artifact version without copying it; its manifest and files come
through the registry's routes, which check `registry:download` where the project's check project
read. Both route families answer the same shapes under a version's route:

    GET  <route>/manifest            {url}: a presigned GET of the manifest
    GET  <route>/files?urls=true     a page of {path, url, ...}
    POST <route>/aliases             {add, remove}
    DELETE <route>

so download.py and remote.py are one engine that asks the artifact's source for its route only.
``ProjectVersion`` is the project's; the registry's lives in wanllmdb/registry/linked.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from wanllmdb.artifacts.http import quote_segment

__all__ = ["ProjectVersion", "VersionSource", "project_version_route"]


def project_version_route(project_ref: str, name: str, label: str) -> str:
    """`/projects/{project}/artifacts/{name}/versions/{label}` (label: vN, latest or an alias)."""
    return (
        f"/projects/{quote_segment(project_ref)}/artifacts/{quote_segment(name)}"
        f"/versions/{quote_segment(label)}"
    )


class VersionSource(Protocol):
    @property
    def route(self) -> str:
        """The version's route: manifest, files, aliases and delete hang under it."""
        ...

    @property
    def lineage_route(self) -> str:
        """The artifact version's own route in its project (…/runs: who logged and used it)."""
        ...

    def attrs(self, answer: dict[str, Any]) -> dict[str, Any]:
        """An answer of `route` (or of its aliases POST) as an artifact version's attributes."""
        ...


@dataclass(frozen=True)
class ProjectVersion:
    project_ref: str
    name: str
    version: str

    @property
    def route(self) -> str:
        return project_version_route(self.project_ref, self.name, self.version)

    @property
    def lineage_route(self) -> str:
        return self.route

    def attrs(self, answer: dict[str, Any]) -> dict[str, Any]:
        return dict(answer)
