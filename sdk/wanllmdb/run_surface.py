"""The parts of wandb's ``Run`` that scripts touch besides logging: identity, links, code, preemption.

A mixin, so ``run.py`` keeps only the hot path and the lifecycle. ``watch``/``unwatch`` hand over to
``wanllmdb.integration.torch`` (imported on the first call, so torch stays optional). The artifact calls
come from ``RunArtifacts`` (artifacts/run_artifacts.py). Names that belong to features this version does
not have (alerts) raise ``NotAvailableYet``; none of them is a silent no-op.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from wanllmdb.artifacts.run_artifacts import RunArtifacts
from wanllmdb.errors import NotAvailableYet, UsageError
from wanllmdb.termlog import termlog, termwarn

if TYPE_CHECKING:
    from wanllmdb.config import Config
    from wanllmdb.ingest.buffer import MediaRow, MetricBuffer
    from wanllmdb.ingest.pipeline import Pipeline
    from wanllmdb.ingest.spool import RunDir
    from wanllmdb.integration.torch import Watcher
    from wanllmdb.settings import Settings
    from wanllmdb.summary import Summary

__all__ = ["RunSurface"]

# Never part of "the code": our spool, wandb's, VCS metadata, virtual environments and caches.
_SKIP_DIRS = frozenset(
    {"wanllmdb", "wandb", ".git", ".hg", ".venv", "venv", "env", "__pycache__", "node_modules", ".tox"}
)


def _default_include(path: str, root: str) -> bool:
    return path.endswith(".py")


def _call_filter(fn: Callable[..., bool], path: str, root: str) -> bool:
    # wandb passes (path, root) since 0.13 and (path) before; accept a filter of either shape.
    try:
        n = len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        n = 2
    return bool(fn(path, root) if n >= 2 else fn(path))


class RunSurface(RunArtifacts):
    # Set by Run.__init__.
    id: str
    project: str
    entity: str | None
    settings: Settings
    mode: str
    attempt: int
    _record: dict[str, Any]
    _name: str | None
    _rd: RunDir | None
    _pipeline: Pipeline | None
    _closed: bool
    summary: Summary
    config: Config
    synced: bool | None
    final_state: str | None
    _preempting: bool = False
    _history: MetricBuffer
    _step: int
    _before_close: Callable[[], None] | None
    _watcher: Watcher | None = None  # made by the first watch()

    SUMMARY_LINES = 10  # finish() shows at most this many summary keys

    # -- identity ------------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        """``entity/project/run_id``, as wandb spells it (the entity is the server's, once it answered)."""
        return f"{self.entity or '-'}/{self.project}/{self.id}"

    @property
    def group(self) -> str | None:
        return self._record.get("group")

    @property
    def job_type(self) -> str | None:
        return self._record.get("job_type")

    @property
    def start_time(self) -> float:
        """When init() started this run (attempt), in seconds since the epoch, as wandb's."""
        return float(self._record.get("created_at", 0.0))

    @property
    def resumed(self) -> bool:
        """True when init() continued an existing run (a later attempt) instead of creating one."""
        return self.attempt > 0

    @property
    def sweep_id(self) -> str | None:
        """The sweep whose trial this run is (init() inside an agent), else None."""
        value = self._record.get("sweep_id")
        return str(value) if value else None

    @property
    def offline(self) -> bool:
        return self.mode == "offline"

    @property
    def disabled(self) -> bool:
        return self.mode == "disabled"

    # -- links -------------------------------------------------------------------------------------------
    def get_project_url(self) -> str | None:
        """The project's page in the dashboard; None offline or before the server named the entity."""
        if self.mode != "online" or not self.entity:
            return None
        return f"{self.settings.base_url}/{self.entity}/{self.project}"

    def get_url(self) -> str | None:
        """The run's page in the dashboard; None offline or before the server named the entity."""
        project = self.get_project_url()
        return f"{project}/runs/{self.id}" if project else None

    @property
    def url(self) -> str | None:
        return self.get_url()

    @property
    def project_url(self) -> str | None:
        return self.get_project_url()

    # -- what init() and finish() say on the terminal (termlog: silent/quiet hide it) ----------------
    def _say_started(self) -> None:
        """One line: the run and where to watch it (or where its data waits, offline)."""
        if self.mode == "disabled":
            return
        who = f"{self._name} ({self.id})" if self._name and self._name != self.id else self.id
        if self.url:
            termlog(f"run {who}: {self.url}")
        else:
            termlog(f"run {who} is logging offline to {self._rd.path if self._rd else '-'}")

    def _say_finished(self, unsynced: int) -> None:
        """The run's link, up to ``SUMMARY_LINES`` final summary values, and what is left for sync."""
        if self.mode == "disabled":
            return
        values = [(k, v) for k, v in sorted(self.summary.as_dict().items()) if not k.startswith("_")]
        if values:
            width = max(len(k) for k, _ in values[: self.SUMMARY_LINES])
            termlog("run summary:")
            for key, value in values[: self.SUMMARY_LINES]:
                termlog(f"  {key.ljust(width)}  {_short(value)}")
            if len(values) > self.SUMMARY_LINES:
                termlog(f"  … and {len(values) - self.SUMMARY_LINES} more (run.summary)")
        who = f"{self._name} ({self.id})" if self._name and self._name != self.id else self.id
        termlog(f"run {who} {self.final_state}" + (f": {self.url}" if self.url else ""))
        if self._rd is None or self.synced:
            return
        if self.mode == "offline":
            termlog(f"offline run: upload it with `wanllmdb sync {self._rd.path}`")
        elif unsynced:
            termwarn(
                f"{unsynced} item(s) not uploaded within finish_timeout_s="
                f"{self.settings.finish_timeout_s:g} s; they are safe in {self._rd.path}: "
                f"run `wanllmdb sync {self._rd.path}` to upload them"
            )

    # -- code ------------------------------------------------------------------------------------------
    def log_code(
        self,
        root: str | os.PathLike[str] | None = ".",
        name: str | None = None,
        include_fn: Callable[..., bool] = _default_include,
        exclude_fn: Callable[..., bool] | None = None,
    ) -> list[str]:
        """Save source files under ``root`` (``.py`` by default) as run files ``code/<name>/<path>``.

        wandb makes a code artifact; here the files are run files, uploaded like ``save(policy="now")``
        and listed by ``Api().run(...).files()``. Returns the run-file names saved.
        """
        if self._closed:
            raise UsageError("log_code() after finish()")
        base = Path(root if root is not None else ".").resolve()
        if not base.is_dir():
            raise UsageError(f"log_code(root={str(root)!r}): not a directory")
        prefix = "code/" + (f"{name.strip('/')}/" if name else "")
        saved: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                if not _call_filter(include_fn, path, str(base)):
                    continue
                if exclude_fn is not None and _call_filter(exclude_fn, path, str(base)):
                    continue
                rel = Path(path).relative_to(base).as_posix()
                saved.append(prefix + rel)
                if self._pipeline is not None:
                    self._pipeline.save_file(Path(path), prefix + rel, "now")
        return saved

    # -- integration labels ---------------------------------------------------------------------------
    def _label(
        self, code: str | None = None, repo: str | None = None, code_version: str | None = None, **kwargs: str
    ) -> None:
        """wandb's integration label (``run._label(code="transformers_trainer")``): which integration
        or repository drove this run, kept in ``config._wandb.labels`` as wandb keeps it in telemetry."""
        labels = {k: v for k, v in {"code": code, "repo": repo, "code_version": code_version}.items() if v}
        labels.update({k: v for k, v in kwargs.items() if isinstance(v, str) and v})
        if labels and not self._closed and self.mode != "disabled":
            self.config.update({"_wandb": {"labels": labels}}, allow_val_change=True)

    # -- preemption ----------------------------------------------------------------------------------
    def mark_preempting(self) -> None:
        """Say this process may be preempted: if it then dies or fails, the run ends ``paused``
        (resumable with ``init(id=..., resume="allow")``) instead of ``crashed`` or ``failed``.

        Recorded in the run dir too, so a ``wanllmdb sync`` after a kill -9 marks it paused.
        """
        self._preempting = True
        if self._rd is not None:
            self._record["preempting"] = True
            self._rd.write_record(self._record)

    # -- watch (PyTorch) ------------------------------------------------------------------------------
    def watch(
        self,
        models: Any,
        criterion: Any = None,
        log: str | None = "gradients",
        log_freq: int = 1000,
        idx: int | None = None,
        log_graph: bool = False,
        log_activations: bool = False,
    ) -> None:
        """wandb's ``watch``: histograms of a PyTorch model's ``gradients``, ``parameters`` or ``all``
        every ``log_freq`` forward calls, as rows ``gradients/<name>``, ``parameters/<name>`` at the
        run's step of the capture, computed on the model's device without a host sync.

        ``models``: a ``torch.nn.Module`` or a tuple/list of them; each model may be watched once.
        ``log_graph=True`` stores the module tree once under ``graph_<idx>``. ``log_activations=True``
        (not in wandb) also histograms each leaf module's output as ``activations/<name>``.
        ``finish()`` unwatches and waits for the histograms already captured.
        """
        if self._closed:
            raise UsageError("watch() after finish()")
        if self.mode == "disabled":
            return
        self._torch_watcher().watch(
            models,
            criterion=criterion,
            log=log,
            log_freq=log_freq,
            idx=idx,
            log_graph=log_graph,
            log_activations=log_activations,
        )

    def unwatch(self, models: Any = None) -> None:
        """Remove ``watch()``'s hooks from ``models`` (every watched model when None)."""
        if self._watcher is None and models is None:
            return  # nothing watched: no need to import torch
        if self.mode != "disabled":
            self._torch_watcher().unwatch(models)

    def _torch_watcher(self) -> Watcher:
        if self._watcher is None:
            from wanllmdb.integration.torch import Watcher

            watcher = self._watcher = Watcher(step=lambda: self._step, emit=self._add_watch_rows)
            previous = self._before_close

            def before_close() -> None:
                # Hooks off and every captured histogram a row before the final flush reads the buffer.
                if not watcher.close(self.settings.finish_timeout_s):
                    termwarn("watch(): histograms still being computed at finish() were not stored")
                if previous is not None:
                    previous()

            self._before_close = before_close
        return self._watcher

    def _add_watch_rows(self, rows: list[MediaRow]) -> None:
        """The watch thread's finished rows, into the buffer as the media worker's. The flusher takes
        them on its interval, or now when the buffer is past its bound (as log() decides): a kick per
        capture would cut a chunk per sampled step, which cost the training thread ~4 ms a sample
        on a 2-core box (benchmarks/tables_watch.py)."""
        self._history.add_media_rows(rows)
        if self._pipeline is not None and self._history.values >= self.settings.flush_max_values:
            self._pipeline.kick()

    # -- features of later versions ----------------------------------------------------------------
    def _later(self, name: str, feature: str) -> NoReturn:
        raise NotAvailableYet(f"run.{name}()", feature)


def _short(value: Any) -> str:
    """A summary value in a few characters: 4 significant digits, dicts inline, long text cut."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict) and isinstance(value.get("_type"), str):
        return _short_media(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short_media(descriptor: dict[str, Any]) -> str:
    """A media summary as a reader wants it at the end of a run: its type and shape, not its hash."""
    kind = descriptor["_type"]
    if kind == "gallery":
        return f"gallery of {descriptor.get('count', 0)} {descriptor.get('item_type') or 'items'}"
    if kind == "histogram":
        bins = descriptor.get("num_bins") or len(descriptor.get("values") or ())
        return f"histogram, {bins} bins"
    parts = [kind]
    if "width" in descriptor and "height" in descriptor:
        parts.append(f"{descriptor['width']}x{descriptor['height']}")
    if "format" in descriptor:
        parts.append(str(descriptor["format"]))
    if descriptor.get("caption"):
        parts.append(repr(descriptor["caption"]))
    return _short(" ".join(parts))
