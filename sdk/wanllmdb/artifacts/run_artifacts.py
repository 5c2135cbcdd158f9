"""The artifact calls of a run: ``log_artifact``, ``use_artifact``, ``log_model``, ``use_model``.

A mixin of ``Run`` (through ``RunSurface``). ``log_artifact`` returns at once and uploads on a thread
(offline: spools into the run dir for ``wanllmdb sync``, artifacts/spool.py); ``finish()`` waits for
every artifact the run logged, so none is lost when the script ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.artifact import Artifact
from wanllmdb.errors import NotAvailableYet, UsageError
from wanllmdb.termlog import termerror

if TYPE_CHECKING:
    from wanllmdb.artifacts.context import ArtifactContext
    from wanllmdb.ingest.pipeline import Pipeline
    from wanllmdb.ingest.spool import RunDir
    from wanllmdb.settings import Settings

__all__ = ["RunArtifacts"]


def _from_path(path: str, name: str | None, type: str | None) -> Artifact:
    """wandb's `log_artifact("path/or/uri", name=, type=)`: a file, a directory or a reference."""
    base = os.path.basename(path.rstrip("/")) or "artifact"
    artifact = Artifact(name or base.replace(":", "-"), type or "unspecified")
    if "://" in path:
        artifact.add_reference(path)
    elif os.path.isdir(path):
        artifact.add_dir(path)
    else:
        artifact.add_file(path)
    return artifact


class RunArtifacts:
    # Set by Run.__init__.
    id: str
    project: str
    entity: str | None
    settings: Settings
    mode: str
    _record: dict[str, Any]
    _pipeline: Pipeline | None
    _rd: RunDir | None
    _closed: bool
    _before_close: Callable[[], None] | None
    _logged_artifacts: list[Artifact] | None = None

    def _artifact_context(self) -> ArtifactContext:
        from wanllmdb.artifacts.context import ArtifactContext

        return ArtifactContext.of(self.settings, entity=self.entity)

    def _server_project(self) -> str | None:
        uploader = self._pipeline.uploader if self._pipeline is not None else None
        return self._record.get("project_id") or (uploader.project_id if uploader is not None else None)

    def _artifact_mode(self, call: str) -> None:
        if self._closed:
            raise UsageError(f"{call} after finish()")
        if self.mode == "offline" and call == "use_artifact()":
            raise UsageError(
                f"{call} needs the server, which an offline run does not talk to; use Api().artifact(...)"
                ".download() while online, or an online run"
            )

    def log_artifact(
        self,
        artifact_or_path: Artifact | str | os.PathLike[str],
        name: str | None = None,
        type: str | None = None,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> Artifact:
        """Log an artifact as this run's output; returns at once (``artifact.wait()`` blocks until the
        version is committed). A path or URI becomes an artifact named after it."""
        artifact = (
            artifact_or_path
            if isinstance(artifact_or_path, Artifact)
            else _from_path(os.fspath(artifact_or_path), name, type)
        )
        if self.mode == "disabled":
            return artifact
        self._artifact_mode("log_artifact()")
        if self.mode == "offline" and self._rd is not None:  # spooled; `wanllmdb sync` logs it
            from wanllmdb.artifacts.spool import spool_artifact

            spool_artifact(artifact, self._rd.path, self.settings, aliases=aliases, tags=tags)
            self._wait_for_artifacts_at_finish(artifact)
            return artifact
        from wanllmdb.artifacts.logging_flow import start_log

        ctx = self._artifact_context()
        project_id = self._server_project()
        if project_id is None:  # init() went on offline: the run is not on the server yet, no lineage
            body = {"name": self.project, **({"entity": self.entity} if self.entity else {})}
            project_id = str(ctx.http.api("POST", "/projects", body)["id"])
            run_id = None
        else:
            run_id = self.id
        start_log(artifact, ctx, project_id, run_id=run_id, aliases=aliases, tags=tags)
        artifact._display = f"{self.entity}/{self.project}" if self.entity else self.project
        self._wait_for_artifacts_at_finish(artifact)
        return artifact

    def _wait_for_artifacts_at_finish(self, artifact: Artifact) -> None:
        if self._logged_artifacts is None:
            self._logged_artifacts = []
            previous = self._before_close
            pending = self._logged_artifacts

            def before_close() -> None:
                for item in pending:
                    try:
                        item.wait()
                    except Exception as exc:
                        termerror(f"artifact {item._name} was not logged: {exc}")
                if previous is not None:
                    previous()

            self._before_close = before_close
        self._logged_artifacts.append(artifact)

    def use_artifact(
        self,
        artifact_or_name: Artifact | str,
        type: str | None = None,
        aliases: list[str] | None = None,
        use_as: str | None = None,
    ) -> Artifact:
        """Record that this run uses `name:alias`, `name:vN` or `entity/project/name:alias` (lineage),
        and return it ready to download."""
        from wanllmdb.artifacts.names import parse_path
        from wanllmdb.artifacts.remote import from_version

        if isinstance(artifact_or_name, Artifact):
            if artifact_or_name._logging:
                artifact_or_name.wait()
            if artifact_or_name._attrs is None:
                raise UsageError(f"use_artifact({artifact_or_name._name!r}): log the artifact first")
            path = parse_path(f"{artifact_or_name._name}:{artifact_or_name.version}")
            project_ref = artifact_or_name._project_ref
        else:
            path = parse_path(str(artifact_or_name))
            project_ref = None
        if self.mode == "disabled":
            raise UsageError("use_artifact() in a disabled run: there is no server to read it from")
        self._artifact_mode("use_artifact()")
        ctx = self._artifact_context()
        own = self._server_project()
        if project_ref is None:
            project_ref = path.project_ref(
                entity=self.entity or ctx.entity, project=self.project, project_id=own
            )
        body: dict[str, Any] = {"artifact": f"{path.name}:{path.alias}"}
        if project_ref != own:
            body["project_id"] = project_ref
        attrs = ctx.http.api("POST", f"/runs/{self.id}/artifacts/used", body, params={"project_id": own})
        if type is not None and attrs["type"] != type:
            raise UsageError(f"artifact {path.name}:{path.alias} is a {attrs['type']!r}, not {type!r}")
        artifact = from_version(ctx, project_ref, attrs)
        artifact._display = (
            project_ref.replace(":", "/") if ":" in project_ref else f"{self.entity}/{self.project}"
        )
        artifact.use_as = use_as
        return artifact

    def link_artifact(
        self, artifact: Artifact, target_path: str, aliases: list[str] | None = None
    ) -> Artifact:
        raise NotAvailableYet("run.link_artifact()", "the model registry (issue #18)")

    def log_model(
        self, path: str | os.PathLike[str], name: str | None = None, aliases: list[str] | None = None
    ) -> Artifact:
        """wandb's log_model: a `model` artifact of a file or directory."""
        return self.log_artifact(
            _from_path(os.fspath(path), name or f"run-{self.id}-{Path(path).name}", "model"), aliases=aliases
        )

    def use_model(self, name: str) -> str:
        """wandb's use_model: use a model artifact and return the path it was downloaded to."""
        return self.use_artifact(name).download()

    def link_model(self, *args: Any, **kwargs: Any) -> Any:
        raise NotAvailableYet("run.link_model()", "the model registry (issue #18)")
