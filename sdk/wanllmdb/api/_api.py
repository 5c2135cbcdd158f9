"""`wanllmdb.Api()`: read runs, configs, summaries and histories, as wandb's public `Api` does."""

from __future__ import annotations

from typing import Any

from wanllmdb.errors import UsageError
from wanllmdb.settings import Settings

from ._http import ApiHttp
from ._run import Run
from ._runs import Runs

__all__ = ["Api"]


class Api:
    """`Api(overrides={"base_url": ..., "api_key": ..., "entity": ...})`; defaults come from the environment
    (WANLLMDB_BASE_URL, WANLLMDB_API_KEY) and `wanllmdb login`."""

    def __init__(self, overrides: dict[str, Any] | None = None, timeout: float = 60.0) -> None:
        overrides = dict(overrides or {})
        self._entity: str | None = overrides.pop("entity", None)
        settings = Settings.resolve({k: v for k, v in overrides.items() if k in ("base_url", "api_key")})
        self.settings = settings
        self._http = ApiHttp(settings.base_url, settings.api_key, timeout_s=timeout)
        self._projects: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def default_entity(self) -> str:
        if self._entity is None:
            self._entity = str(self._http.get("/auth/me")["username"])
        return self._entity

    def _project_id(self, path: str) -> str:
        parts = [p for p in path.strip("/").split("/") if p]
        if len(parts) == 1:
            parts = [self.default_entity, parts[0]]
        if len(parts) != 2:
            raise UsageError(f"path {path!r}: use 'entity/project' or 'project'")
        joined = "/".join(parts)
        if joined not in self._projects:
            self._projects[joined] = str(self._http.get(f"/projects/by-name/{parts[0]}/{parts[1]}")["id"])
        return self._projects[joined]

    def runs(
        self,
        path: str,
        filters: dict[str, Any] | None = None,
        order: str | None = "-created_at",
        per_page: int = 50,
    ) -> Runs:
        """Runs of a project, filtered server-side: `{"config.lr": {"$gt": 0.01}, "$or": [...]}`."""
        return Runs(self._http, self._project_id(path), filters=filters, order=order, per_page=per_page)

    def run(self, path: str) -> Run:
        """`entity/project/run_id`, `project/run_id`, or just the run id when it names one run you can
        read (run ids are unique within a project, as in wandb)."""
        parts = [p for p in path.strip("/").split("/") if p]
        if not 1 <= len(parts) <= 3:
            raise UsageError(f"path {path!r}: use 'entity/project/run_id', 'project/run_id' or 'run_id'")
        project_id = self._project_id("/".join(parts[:-1])) if len(parts) > 1 else None
        return Run(self._http, self._http.get(f"/runs/{parts[-1]}", project_id=project_id))

    # -- artifacts (wanllmdb/artifacts/api.py) -----------------------------------------------------
    def _artifacts(self) -> Any:
        from wanllmdb.artifacts.api import ArtifactQueries

        return ArtifactQueries(self.settings, self._entity)

    def artifact(self, name: str, type: str | None = None) -> Any:
        """`entity/project/name:alias` (or `:vN`; `project/name` for the default entity), or a registered
        version (`registry/model:production`, `wandb-registry-model/model:v1`,
        `entity/wandb-registry-model/model:latest`): the version, ready to `download()`. A path without
        `wandb-registry-` is a project's artifact first, a registry's when that project does not exist."""
        from wanllmdb.errors import UsageError
        from wanllmdb.registry.resolve import resolve_artifact

        queries = self._artifacts()
        artifact = resolve_artifact(
            queries.ctx,
            name,
            default_entity=lambda: queries.ctx.entity,
            load_project=lambda: queries.artifact(name, type),
        )
        if type is not None and artifact.type != type:
            raise UsageError(f"artifact {name} is a {artifact.type!r}, not {type!r}")
        return artifact

    def artifacts(self, type_name: str, name: str, per_page: int = 50) -> list[Any]:
        """Every live version of the collection `entity/project/name` of this type."""
        return list(self._artifacts().artifacts(type_name, name))

    def artifact_collections(
        self, project_name: str, type_name: str | None = None, per_page: int = 50
    ) -> list[Any]:
        """The artifact collections of a project (`entity/project` or `project`), of one type if given."""
        return list(self._artifacts().collections(project_name, type_name))

    def artifact_exists(self, name: str, type: str | None = None) -> bool:
        from wanllmdb.rest import ApiError

        try:
            self.artifact(name, type)
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # -- the model registry (wanllmdb/registry/api.py) ---------------------------------------------
    def _registries(self) -> Any:
        from wanllmdb.registry.api import RegistryClient

        return RegistryClient(self.settings, self._entity)

    def registries(self, entity: str | None = None, organization: str | None = None) -> list[Any]:
        """The registries the caller can see (of `entity`, wandb's `organization`, when given)."""
        return list(self._registries().registries(entity or organization))

    def registry(self, name: str, entity: str | None = None, organization: str | None = None) -> Any:
        """A registry by name (`model`, or wandb's `wandb-registry-model`), of `entity` (wandb's
        `organization`) or the default entity; `.collections()` lists its registered models."""
        return self._registries().registry(name, entity or organization)

    def sql(self, query: str, *, limit: int = 1000, projects: list[str] | None = None) -> dict[str, Any]:
        """Read-only SQL over the lake's `metrics` and `runs` tables: `{columns, rows, truncated}`."""
        body: dict[str, Any] = {"query": query, "limit": limit}
        if projects:
            body["projects"] = [self._project_id(p) for p in projects]
        result: dict[str, Any] = self._http.post("/sql", body)
        return result
