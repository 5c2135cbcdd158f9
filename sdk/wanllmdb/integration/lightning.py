"""Lightning: ``WanllmdbLogger``, a ``lightning.pytorch`` logger with ``WandbLogger``'s arguments and
methods (and exported under that name), for ``Trainer(logger=WanllmdbLogger(project=...))``.

- The run is created on first use of ``experiment`` (``wanllmdb.init(**kwargs)``; an active run is reused,
  as wandb does), on global rank 0 only: under DDP every other rank's logger is a no-op
  (``rank_zero_only`` / ``rank_zero_experiment``), so a fit makes exactly one run.
- ``log_metrics`` logs each row with ``trainer/global_step``, the x-axis of every other metric
  (``define_metric("*", step_metric="trainer/global_step")``); the run's own step counts the calls.
- ``log_hyperparams`` puts the hyper-parameters (``save_hyperparameters()``) in the config.
- ``log_model``: ``True`` logs the checkpoints of each ``ModelCheckpoint`` once the fit succeeds,
  ``"all"`` every checkpoint when it is saved; each is a version of the ``model`` artifact
  ``checkpoint_name`` (default ``model-<run id>``) with the file ``model.ckpt``, aliases ``latest``
  and, for the callback's best model, ``best``, and the callback's score and settings as metadata.

Unlike WandbLogger, ``offline=True`` with ``log_model`` is allowed: offline runs spool their artifacts
for ``wanllmdb sync``.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wanllmdb.integration._framework import Supported, require_framework

lightning = require_framework(
    "lightning", integration="lightning", extra="lightning", supported=Supported((2, 2), (3,))
)

from lightning.fabric.utilities.logger import (  # noqa: E402
    _add_prefix,
    _convert_json_serializable,
    _convert_params,
    _sanitize_callable_params,
)
from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402
from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment  # noqa: E402
from lightning.pytorch.loggers.utilities import _scan_checkpoints  # noqa: E402
from lightning.pytorch.utilities.rank_zero import rank_zero_only, rank_zero_warn  # noqa: E402
from torch import Tensor, nn  # noqa: E402

import wanllmdb  # noqa: E402
from wanllmdb.data_types.table import Table  # noqa: E402
from wanllmdb.integration.torch.checkpoint import log_checkpoint_file  # noqa: E402

if TYPE_CHECKING:
    from wanllmdb.artifacts import Artifact
    from wanllmdb.run import Run

__all__ = ["WandbLogger", "WanllmdbLogger"]

STEP_KEY = "trainer/global_step"
# The ModelCheckpoint settings stored with each checkpoint, as WandbLogger does.
_CHECKPOINT_SETTINGS = (
    "monitor",
    "mode",
    "save_last",
    "save_top_k",
    "save_weights_only",
    "_every_n_train_steps",
)


class WanllmdbLogger(Logger):  # type: ignore[misc]
    """Logs a Lightning fit to one wanllmdb run; WandbLogger's arguments (``**kwargs`` go to ``init``)."""

    LOGGER_JOIN_CHAR = "-"

    def __init__(
        self,
        name: str | None = None,
        save_dir: str | os.PathLike[str] = ".",
        version: str | None = None,
        offline: bool = False,
        dir: str | os.PathLike[str] | None = None,
        id: str | None = None,
        anonymous: bool | None = None,
        project: str | None = None,
        log_model: Literal["all"] | bool = False,
        experiment: Run | None = None,
        prefix: str = "",
        checkpoint_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self._log_model = log_model
        self._prefix = prefix
        self._experiment = experiment
        self._logged_model_time: dict[str, float] = {}
        self._checkpoint_callbacks: dict[int, ModelCheckpoint] = {}
        self._checkpoint_name = checkpoint_name
        kwargs.pop("add_file_policy", None)  # WandbLogger's: our checkpoints are always copied first
        # WandbLogger's default project, below the environment's (init() reads only ours).
        project = project or os.environ.get("WANLLMDB_PROJECT") or os.environ.get("WANDB_PROJECT")
        self._init: dict[str, Any] = {
            "name": name,
            "project": project or "lightning_logs",
            "dir": os.fspath(save_dir) if save_dir is not None else (os.fspath(dir) if dir else None),
            "id": version or id,
            "resume": "allow",
            "anonymous": "allow" if anonymous else None,
            **({"mode": "offline"} if offline else {}),
            **kwargs,
        }
        self._project: str = self._init["project"]
        self._save_dir: str | None = self._init["dir"]
        self._name: str | None = self._init["name"]
        self._id: str | None = self._init["id"]

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for spawned processes (``ddp_spawn``): the run stays here, its id goes along."""
        state = self.__dict__.copy()
        if self._experiment is not None:
            state["_id"] = self._experiment.id
            state["_init"] = {**self._init, "id": self._experiment.id}
        state["_experiment"] = None
        return state

    @property  # type: ignore[misc]
    @rank_zero_experiment
    def experiment(self) -> Run:
        """The run (created here on first use, on rank 0; a no-op object on the other ranks)."""
        if self._experiment is None:
            if wanllmdb.run is not None:
                rank_zero_warn(
                    "There is a wanllmdb run already in progress and newly created instances of "
                    "`WanllmdbLogger` will reuse this run. If this is not desired, call `wanllmdb.finish()` "
                    "before instantiating `WanllmdbLogger`."
                )
                self._experiment = wanllmdb.run
            else:
                self._experiment = run = wanllmdb.init(**self._init)
                run.define_metric(STEP_KEY)
                run.define_metric("*", step_metric=STEP_KEY, step_sync=True)
        return self._experiment

    def watch(
        self, model: nn.Module, log: str | None = "gradients", log_freq: int = 100, log_graph: bool = True
    ) -> None:
        """``run.watch`` with WandbLogger's defaults."""
        self.experiment.watch(model, log=log, log_freq=log_freq, log_graph=log_graph)

    @rank_zero_only  # type: ignore[misc]
    def log_hyperparams(self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any) -> None:
        values = _convert_json_serializable(_sanitize_callable_params(_convert_params(params)))
        self.experiment.config.update(values, allow_val_change=True)

    @rank_zero_only  # type: ignore[misc]
    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        row: dict[str, Any] = dict(_add_prefix(metrics, self._prefix, self.LOGGER_JOIN_CHAR))
        if step is not None:
            row[STEP_KEY] = step
        self.experiment.log(row)

    @rank_zero_only  # type: ignore[misc]
    def log_table(
        self,
        key: str,
        columns: list[str] | None = None,
        data: list[list[Any]] | None = None,
        dataframe: Any = None,
        step: int | None = None,
    ) -> None:
        """A ``wanllmdb.Table`` under ``key`` (from ``columns`` and ``data``, or a ``dataframe``)."""
        self.log_metrics({key: Table(columns=columns, data=data, dataframe=dataframe)}, step)

    @rank_zero_only  # type: ignore[misc]
    def log_text(
        self,
        key: str,
        columns: list[str] | None = None,
        data: list[list[str]] | None = None,
        dataframe: Any = None,
        step: int | None = None,
    ) -> None:
        """Text samples: a table, as in WandbLogger."""
        self.log_table(key, columns, data, dataframe, step)

    @rank_zero_only  # type: ignore[misc]
    def log_image(self, key: str, images: list[Any], step: int | None = None, **kwargs: Any) -> None:
        """``wanllmdb.Image``s under ``key``; each keyword (``caption=[...]``) gives one value per image."""
        self._log_media(key, wanllmdb.Image, images, step, kwargs)

    @rank_zero_only  # type: ignore[misc]
    def log_audio(self, key: str, audios: list[Any], step: int | None = None, **kwargs: Any) -> None:
        self._log_media(key, wanllmdb.Audio, audios, step, kwargs)

    @rank_zero_only  # type: ignore[misc]
    def log_video(self, key: str, videos: list[Any], step: int | None = None, **kwargs: Any) -> None:
        self._log_media(key, wanllmdb.Video, videos, step, kwargs)

    def _log_media(
        self, key: str, kind: Any, items: list[Any], step: int | None, kwargs: dict[str, Any]
    ) -> None:
        if not isinstance(items, list):
            raise TypeError(f'Expected a list as "{kind.__name__.lower()}s", found {type(items)}')
        for k, values in kwargs.items():
            if len(values) != len(items):
                raise ValueError(f"Expected {len(items)} items but only found {len(values)} for {k}")
        media = [kind(item, **{k: v[i] for k, v in kwargs.items()}) for i, item in enumerate(items)]
        self.log_metrics({key: media}, step)

    @property
    def save_dir(self) -> str | None:
        return self._save_dir

    @property
    def name(self) -> str | None:
        """The project (Lightning puts checkpoints under ``<save_dir>/<name>/<version>/checkpoints``)."""
        return self._project

    @property
    def version(self) -> str | None:
        """The run id."""
        return self._experiment.id if self._experiment is not None else self._id

    def after_save_checkpoint(self, checkpoint_callback: ModelCheckpoint) -> None:
        if self._log_model == "all" or (self._log_model is True and checkpoint_callback.save_top_k == -1):
            self._log_checkpoints(checkpoint_callback)
        elif self._log_model is True:
            self._checkpoint_callbacks[id(checkpoint_callback)] = checkpoint_callback

    def use_artifact(self, artifact: str, artifact_type: str | None = None) -> Artifact:
        return self.experiment.use_artifact(artifact, type=artifact_type)

    @rank_zero_only  # type: ignore[misc]
    def finalize(self, status: str) -> None:
        """Log the checkpoints ``log_model=True`` kept for the end, when the fit succeeded. The run is not
        finished here (nor by WandbLogger): ``wanllmdb.finish()``, or the process's exit, does that."""
        if status != "success" or self._experiment is None:
            return
        for checkpoint_callback in self._checkpoint_callbacks.values():
            self._log_checkpoints(checkpoint_callback)

    @rank_zero_only  # type: ignore[misc]
    def _log_checkpoints(self, checkpoint_callback: ModelCheckpoint) -> None:
        """The callback's checkpoints not logged yet (or rewritten since), oldest first, so the last one
        logged holds ``latest``."""
        run = self.experiment
        for mtime, path, score, _ in _scan_checkpoints(checkpoint_callback, self._logged_model_time):
            metadata = {
                "score": score.item() if isinstance(score, Tensor) else score,
                "original_filename": Path(path).name,
                checkpoint_callback.__class__.__name__: {  # a proxy's type() is not the class
                    k: getattr(checkpoint_callback, k)
                    for k in _CHECKPOINT_SETTINGS
                    if hasattr(checkpoint_callback, k)
                },
            }
            if not self._checkpoint_name:
                self._checkpoint_name = f"model-{run.id}"
            aliases = ["latest", "best"] if path == checkpoint_callback.best_model_path else ["latest"]
            log_checkpoint_file(run, path, self._checkpoint_name, aliases, metadata=metadata)
            self._logged_model_time[path] = mtime


WandbLogger = WanllmdbLogger  # wandb's (Lightning's) name, for `from ... import WandbLogger`
