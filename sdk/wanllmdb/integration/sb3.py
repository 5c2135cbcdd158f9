"""Stable-Baselines3: wandb's ``WandbCallback``, passed as ``model.learn(..., callback=WandbCallback())``
after ``wanllmdb.init()``, with wandb's arguments.

- Config, at the start of each ``learn()``: ``algo`` (the algorithm's class name) and the model's
  attributes (numbers and strings as they are, anything else as its ``str``), as defaults: keys already
  in the config keep their values (wandb's ``config.setdefaults``).
- Metrics: wandb gets them from SB3's TensorBoard files (``sync_tensorboard=True``); we add a
  ``KVWriter``, ``RunWriter``, to the model's logger instead, so no TensorBoard is needed. Every
  ``logger.dump()`` (``rollout/``, ``time/`` and the previous update's ``train/`` keys, each
  ``log_interval`` iterations or episodes) is one ``log()`` row with TensorBoard's keys and values and
  ``global_step``, SB3's ``num_timesteps`` (the TensorBoard step, which wandb logs under that name), as
  the step metric of those keys. Keys that SB3 keeps out of TensorBoard (``exclude="tensorboard"``:
  ``train/n_updates``, ...) stay out here too. Arrays and tensors become histograms; SB3's ``Video``,
  ``Figure`` and ``Image`` become ``wanllmdb.Video`` and ``wanllmdb.Image``.
- ``model_save_path``: the model is saved there as ``model.zip`` (``model.save``) every
  ``model_save_freq`` callback calls (env steps of the vectorised env) and at the end of training, and
  each save is logged as a version of the ``model`` artifact ``model-<run id>`` (where wandb uploads
  the file with ``wandb.save``). The upload runs on the SDK's thread; a server that is down spools it.
- ``gradient_save_freq > 0``: ``wanllmdb.watch(model.policy, log_freq=gradient_save_freq, log=log)``.
"""

from __future__ import annotations

import logging
import os
import weakref
from typing import TYPE_CHECKING, Any, Literal

from wanllmdb.integration._framework import Supported, active_run, require_framework

sb3 = require_framework(
    "stable_baselines3",
    integration="sb3",
    extra="sb3",
    supported=Supported((2, 0), (3,)),
    name="stable-baselines3",
)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from stable_baselines3.common.callbacks import BaseCallback  # noqa: E402
from stable_baselines3.common.logger import Figure, Image, KVWriter, Video  # noqa: E402

import wanllmdb  # noqa: E402
from wanllmdb.data_types.histogram import Histogram  # noqa: E402
from wanllmdb.data_types.image import Image as RunImage  # noqa: E402
from wanllmdb.data_types.video import Video as RunVideo  # noqa: E402
from wanllmdb.errors import UsageError, WanllmdbError  # noqa: E402
from wanllmdb.integration.torch.checkpoint import log_checkpoint_file  # noqa: E402
from wanllmdb.termlog import termwarn  # noqa: E402

if TYPE_CHECKING:
    from wanllmdb.run import Run

__all__ = ["RunWriter", "WandbCallback"]

logger = logging.getLogger(__name__)

GLOBAL_STEP = "global_step"
_LOG_CHOICES = ("gradients", "parameters", "all", None)
# Policies already watched, with the run that watches them: a second learn() (or a new callback on the
# same model) must not watch again, which raises once per model.
_WATCHED: weakref.WeakKeyDictionary[torch.nn.Module, str] = weakref.WeakKeyDictionary()


class RunWriter(KVWriter):  # type: ignore[misc]
    """An SB3 logger output that logs each ``dump()`` to the active run, as TensorBoard's writer writes
    it: the same keys and exclusions, with ``global_step`` = the dump's step."""

    def __init__(self) -> None:
        self._defined: set[str] = set()

    def write(
        self, key_values: dict[str, Any], key_excluded: dict[str, tuple[str, ...]], step: int = 0
    ) -> None:
        run = wanllmdb.run
        if run is None:
            return
        row: dict[str, Any] = {}
        for key, value in key_values.items():
            excluded = key_excluded.get(key)
            if excluded is not None and "tensorboard" in excluded:
                continue
            try:
                converted = _loggable(value)
            except WanllmdbError as exc:  # a value our types refuse costs its key, never the training
                termwarn(f"wanllmdb.integration.sb3: {key} was not logged: {exc}", repeat=False)
                continue
            if converted is not None:
                row[key] = converted
        if not row:
            return
        self._define_step_metric(run, row)
        row[GLOBAL_STEP] = int(step)
        run.log(row)

    def close(self) -> None:
        """Nothing to close: the run outlives the SB3 logger."""

    def _define_step_metric(self, run: Run, row: dict[str, Any]) -> None:
        # Once per key family (rollout/*, train/*, time/*, ...): SB3's keys only, never the user's.
        for key in row:
            family = f"{key.split('/', 1)[0]}/*" if "/" in key else key
            if family not in self._defined:
                self._defined.add(family)
                run.define_metric(family, step_metric=GLOBAL_STEP)


def _loggable(value: Any) -> Any:
    """What TensorBoard's writer would write, as a run value; None for what it skips (``HParam``)."""
    if isinstance(value, str | bool | int | float | np.generic):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, torch.Tensor | np.ndarray):
        return Histogram(_numpy(value).ravel())
    if isinstance(value, Video):
        return RunVideo(_numpy(value.frames), fps=value.fps)
    if isinstance(value, Figure):
        image = RunImage(value.figure)  # rendered here, so the figure may be closed right away
        if value.close:
            import matplotlib.pyplot as plt

            plt.close(value.figure)
        return image
    if isinstance(value, Image):
        if isinstance(value.image, str):
            return RunImage(value.image)
        layout = value.dataformats.upper()
        array = np.transpose(_numpy(value.image), [layout.index(a) for a in "NHWC" if a in layout])
        return [RunImage(one) for one in array] if "N" in layout else RunImage(array)
    return None


def _numpy(value: Any) -> Any:
    """A tensor on any device, or an array, as a numpy array."""
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


class WandbCallback(BaseCallback):  # type: ignore[misc]
    """wandb's SB3 callback: config, metrics (through ``RunWriter``), ``model.zip`` as a ``model``
    artifact and ``watch`` of the policy. ``wanllmdb.init()`` comes first.

    Args:
        verbose: SB3's verbosity; above 1 each saved model is logged (``logging``).
        model_save_path: the folder where ``model.zip`` is saved; None (the default) saves no model.
        model_save_freq: save every this many callback calls (needs ``model_save_path``); 0: only at
            the end of training.
        gradient_save_freq: watch the policy, histograms every this many forward calls; 0: no watch.
        log: what ``watch`` histograms: ``"gradients"``, ``"parameters"``, ``"all"`` or None.
    """

    def __init__(
        self,
        verbose: int = 0,
        model_save_path: str | None = None,
        model_save_freq: int = 0,
        gradient_save_freq: int = 0,
        log: Literal["gradients", "parameters", "all"] | None = "all",
    ) -> None:
        super().__init__(verbose)
        active_run("WandbCallback()")  # wandb's check: init() comes first
        self.model_save_freq = model_save_freq
        self.model_save_path = model_save_path
        self.gradient_save_freq = gradient_save_freq
        if log not in _LOG_CHOICES:
            termwarn(
                "`log` must be one of `None`, 'gradients', 'parameters', or 'all', falling back to 'all'"
            )
            log = "all"
        self.log = log
        self.writer = RunWriter()
        if self.model_save_path is not None:
            os.makedirs(self.model_save_path, exist_ok=True)
            self.path = os.path.join(self.model_save_path, "model.zip")
        elif self.model_save_freq != 0:
            raise UsageError("to use the `model_save_freq` you have to set the `model_save_path` parameter")

    def _init_callback(self) -> None:
        run = active_run("training")
        config = run.config
        values: dict[str, Any] = {"algo": type(self.model).__name__}
        for key, value in self.model.__dict__.items():
            if key in config:
                continue
            # wandb's rule: exactly float, int and str as they are (so a bool becomes "True").
            values[key] = value if type(value) in (float, int, str) else str(value)
        if self.gradient_save_freq > 0 and _WATCHED.get(self.model.policy) != run.id:
            wanllmdb.watch(self.model.policy, log_freq=self.gradient_save_freq, log=self.log)
            _WATCHED[self.model.policy] = run.id
        config.setdefaults(values)
        # SB3 builds a new logger at each learn() (unless set_logger() gave one): ours joins it once.
        outputs = self.model.logger.output_formats
        outputs[:] = [out for out in outputs if not isinstance(out, RunWriter)] + [self.writer]

    def _on_step(self) -> bool:
        if (
            self.model_save_freq > 0
            and self.model_save_path is not None
            and self.n_calls % self.model_save_freq == 0
        ):
            self.save_model()
        return True

    def _on_training_end(self) -> None:
        if self.model_save_path is not None:
            self.save_model()

    def save_model(self) -> None:
        """Save ``model.zip`` to ``model_save_path`` and log it as a version of ``model-<run id>``."""
        self.model.save(self.path)
        run = active_run("save_model()")
        log_checkpoint_file(
            run,
            self.path,
            f"model-{run.id}",
            metadata={"algo": type(self.model).__name__, "num_timesteps": int(self.model.num_timesteps)},
            filename="model.zip",
        )
        if self.verbose > 1:
            logger.info(f"Saving model checkpoint to {self.path}")
