"""The artifact calls of a run: ``log_artifact``, ``use_artifact``, ``log_model``, ``use_model``, and the
registry's ``link_artifact`` and ``link_model``.

A mixin of ``Run`` (through ``RunSurface``). ``log_artifact`` returns at once and uploads on a thread
(offline: spools into the run dir for ``wanllmdb sync``, artifacts/spool.py); ``link_artifact`` links on
a thread once the version is committed (registry/linking.py). ``finish()`` waits for every artifact the
run logged and every link it asked for, so none is lost when the script ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb.artifacts.artifact import Artifact
from wanllmdb.errors import CommError, UsageError
from wanllmdb.termlog import termerror, termwarn

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
    _awaited: list[tuple[Artifact, bool]] | None = None  # (artifact or pending link, is a link)
    _last_link: Artifact | None = None  # the next link waits for it: a run's links land in call order

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
        project_id = self._server_project() if self.mode != "offline" else None
        # Offline, or online while the run is not on the server yet (init() could not reach it and went
        # on offline): spooled, and `wanllmdb sync` logs it with the run's lineage. Asking the server
        # here would hold the caller (a training loop, often a framework's callback) for the client's
        # whole retry window, then raise into it.
        if project_id is None and self._rd is not None:
            from wanllmdb.artifacts.spool import spool_artifact

            spool_artifact(artifact, self._rd.path, self.settings, aliases=aliases, tags=tags)
            if self.mode != "offline":
                termwarn(
                    f"artifact {artifact.name}: the server has not been reached since init(), so it is kept "
                    f"in {self._rd.path} for `wanllmdb sync {self._rd.path}`"
                )
            self._wait_at_finish(artifact)
            return artifact
        from wanllmdb.artifacts.logging_flow import start_log

        ctx = self._artifact_context()
        if project_id is None:  # init() went on offline: the run is not on the server yet, no lineage
            body = {"name": self.project, **({"entity": self.entity} if self.entity else {})}
            project_id = str(ctx.http.api("POST", "/projects", body)["id"])
            run_id = None
        else:
            run_id = self.id
        start_log(artifact, ctx, project_id, run_id=run_id, aliases=aliases, tags=tags)
        artifact._display = f"{self.entity}/{self.project}" if self.entity else self.project
        self._wait_at_finish(artifact)
        return artifact

    def _wait_at_finish(self, artifact: Artifact, *, link: bool = False) -> None:
        if self._awaited is None:
            self._awaited = []
            previous = self._before_close
            pending = self._awaited

            def before_close() -> None:
                for item, is_link in pending:
                    try:
                        if is_link or item._spooled:
                            item.wait()
                        else:
                            self._await_upload(item)
                    except Exception as exc:
                        if not is_link:  # a link's failure was reported as it happened
                            termerror(f"artifact {item._name} was not logged: {exc}")
                if previous is not None:
                    previous()

            self._before_close = before_close
        self._awaited.append((artifact, link))

    def _await_upload(self, artifact: Artifact) -> None:
        """Wait for a logged artifact's upload, as wandb's finish() does, while the server answers. Once
        it does not (the upload is retrying a server that went away mid-run), keep the artifact in the
        run dir for ``wanllmdb sync`` rather than hold finish() for the client's whole retry window."""
        from wanllmdb.artifacts.spool import spool_unsent
        from wanllmdb.rest import ApiError, Transient

        while True:
            try:
                artifact.wait(timeout=max(self.settings.finish_timeout_s, 1.0))
                return
            except TimeoutError:
                if self._artifact_context().http.answers():
                    continue  # uploading: a large artifact takes its time
                why = "the server stopped answering"
            except (Transient, CommError) as exc:
                if isinstance(exc, ApiError) or self._rd is None:  # refused: sync would be refused too
                    raise
                why = f"the server could not be reached ({exc})"
            if self._rd is None:
                raise CommError(f"artifact {artifact._name} was not logged: {why}")
            spool_unsent(artifact, self._rd.path, self.settings)
            termwarn(
                f"artifact {artifact._name}: {why}, so it is kept in {self._rd.path} for "
                f"`wanllmdb sync {self._rd.path}`"
            )
            return

    def use_artifact(
        self,
        artifact_or_name: Artifact | str,
        type: str | None = None,
        aliases: list[str] | None = None,
        use_as: str | None = None,
    ) -> Artifact:
        """Record that this run uses `name:alias`, `name:vN`, `entity/project/name:alias`, or a registered
        version (`wandb-registry-model/m:production`; registry/resolve.py says which a path names), and
        return it ready to download. A registered version's lineage is its source artifact version's."""
        if isinstance(artifact_or_name, Artifact):
            artifact = artifact_or_name
            if artifact._logging:
                artifact.wait()
            if artifact._attrs is None:
                raise UsageError(f"use_artifact({artifact._name!r}): log the artifact first")
        if self.mode == "disabled":
            raise UsageError("use_artifact() in a disabled run: there is no server to read it from")
        self._artifact_mode("use_artifact()")
        if isinstance(artifact_or_name, Artifact):
            if not artifact.is_link:
                return self._record_use(artifact.name, artifact._project_ref, type, use_as)
        else:
            from wanllmdb.registry.resolve import resolve_artifact

            name = str(artifact_or_name)
            ctx = self._artifact_context()
            artifact = resolve_artifact(
                ctx,
                name,
                default_entity=lambda: self.entity or ctx.entity,
                load_project=lambda: self._record_use(name, None, type, use_as),
            )
            if not artifact.is_link:
                return artifact
        if type is not None and artifact.type != type:
            raise UsageError(f"artifact {artifact.qualified_name} is a {artifact.type!r}, not {type!r}")
        self._record_source_use(artifact)
        artifact.use_as = use_as
        return artifact

    def _record_use(
        self, name: str, project_ref: str | None, type: str | None, use_as: str | None
    ) -> Artifact:
        """POST the run's use of a project's artifact version (lineage); returns that version."""
        from wanllmdb.artifacts.names import parse_path
        from wanllmdb.artifacts.remote import from_version

        path = parse_path(name)
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

    def _record_source_use(self, linked: Artifact) -> None:
        """The run used a registered version: its source artifact version becomes the run's input.
        Recorded through the registry (POST …/versions/{vN}/used needs registry:download), so a reader
        of the registry who may not read the source's project still leaves lineage."""
        from wanllmdb.rest import ApiError

        try:
            self._artifact_context().http.api(
                "POST", f"{linked._version_source.route}/used", {"run_id": self.id}
            )
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
            termwarn(
                f"{linked.qualified_name}: this run's use of it was not recorded in the lineage of "
                f"{linked.source_name} ({exc.message})"
            )

    def link_artifact(
        self, artifact: Artifact, target_path: str, aliases: list[str] | None = None
    ) -> Artifact:
        """Link `artifact` into a registered model (`registry/model`, `wandb-registry-registry/model`,
        `entity/registry/model`, `model-registry/model`), after logging it if it is a draft. Returns
        at once: the registered version is pending until the artifact is committed and linked
        (`.wait()` blocks; `finish()` waits). A failed link is a warning, never an exception here."""
        if not isinstance(artifact, Artifact):
            raise UsageError(f"link_artifact(): give an Artifact, not {type(artifact).__name__}")
        if self.mode == "disabled":
            return artifact
        if artifact._attrs is None and not artifact._logging and not artifact._spooled:
            self.log_artifact(artifact)
        else:
            self._artifact_mode("link_artifact()")
        if self.mode == "offline" and artifact._spooled:
            termwarn(
                f"link_artifact(): an offline run cannot link {artifact._name} to {target_path}; after "
                "`wanllmdb sync`, run `wanllmdb registry link "
                f"<entity>/{self.project}/{artifact._name}:latest {target_path}`"
            )
            return artifact
        from wanllmdb.registry.linking import start_link

        ctx = self._artifact_context()
        linked = start_link(
            artifact,
            target_path,
            aliases,
            ctx=ctx,
            entity=lambda: self.entity or ctx.entity,
            after=self._last_link,
        )
        self._last_link = linked
        self._wait_at_finish(linked, link=True)
        return linked

    def log_model(
        self, path: str | os.PathLike[str], name: str | None = None, aliases: list[str] | None = None
    ) -> Artifact:
        """wandb's log_model: a `model` artifact of a file or directory."""
        return self.log_artifact(
            _from_path(os.fspath(path), name or f"run-{self.id}-{Path(path).name}", "model"), aliases=aliases
        )

    def link_model(
        self,
        path: str | os.PathLike[str],
        registered_model_name: str,
        name: str | None = None,
        aliases: list[str] | None = None,
    ) -> Artifact:
        """wandb's link_model: log `path` as a `model` artifact (`run-<id>-<basename>` unless `name`),
        then link it into registry `model`, registered model `registered_model_name`; `aliases` go
        on the registered version only. Returns the registered version, pending as link_artifact's."""
        if not isinstance(registered_model_name, str) or "/" in registered_model_name:
            raise UsageError(
                f"link_model(registered_model_name={registered_model_name!r}): give only the registered "
                "model's name; it goes into registry 'model' of the run's entity"
            )
        artifact = self.log_model(path, name)
        return self.link_artifact(artifact, f"model/{registered_model_name}", aliases)

    def use_model(self, name: str) -> str:
        """wandb's use_model: use a model (a registered version `model/<m>:production`,
        `wandb-registry-model/<m>:v1`, or an artifact `name:alias`), download it and return where:
        the one entry itself when the model holds one, else the directory (as wandb does)."""
        artifact = self.use_artifact(name)
        if "model" not in artifact.type.lower():
            raise UsageError(
                f"use_model({name!r}): {artifact.qualified_name} is a {artifact.type!r}; use_model takes "
                "artifacts whose type contains 'model' (use_artifact() takes any)"
            )
        root = artifact.download()
        entries = os.listdir(root)
        return os.path.join(root, entries[0]) if len(entries) == 1 else root
