"""``WandbModelCheckpoint``: Keras' ``ModelCheckpoint`` whose every saved file is a ``model`` artifact.

Keras decides when to save (``save_freq``, ``save_best_only``, ``monitor``...) and writes the file; each
file it writes becomes a version of ``run_<run id>_model`` holding that file (its own name, e.g.
``model-03.keras``), aliased ``latest`` and ``epoch_<epoch>`` (0-based, as wandb) or, with an integer
``save_freq``, ``epoch_<epoch>_batch_<batch>``; under ``save_best_only`` also ``best``, which moves to
each new best (wandb sets no ``best``).

The file is copied into the run's folder on the training thread before it is logged: Keras overwrites
a ``filepath`` without ``{epoch}`` at the next save, possibly before the SDK's thread has hashed and
uploaded it. Unlike wandb, an epoch where ``save_best_only`` saved nothing logs nothing (wandb logs the
previous file again, or fails when ``filepath`` has ``{epoch}`` in it). With the server down the
versions are spooled for ``wanllmdb sync``; the fit never waits for, or gets errors from, the server.
"""

from __future__ import annotations

import itertools
import os
import shutil
import string
from pathlib import Path
from typing import Any, Literal

from wanllmdb.integration._framework import active_run, log_model_file
from wanllmdb.integration.keras._keras import keras
from wanllmdb.termlog import termwarn

__all__ = ["Mode", "SaveStrategy", "WandbModelCheckpoint"]

Mode = Literal["auto", "min", "max"]
SaveStrategy = Literal["epoch"]

# One folder per logged checkpoint in the run's models/ folder: a file of the same name saved later
# never overwrites one whose upload has not read it yet.
_SEQUENCE = itertools.count()


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class WandbModelCheckpoint(keras.callbacks.ModelCheckpoint):  # type: ignore[misc,name-defined]
    """Saves the model (or its weights) as Keras' ``ModelCheckpoint`` does, with the same arguments,
    and logs each saved file to the active run as a ``model`` artifact ``run_<run id>_model``."""

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: Mode = "auto",
        save_freq: SaveStrategy | int = "epoch",
        initial_value_threshold: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filepath=filepath,
            monitor=monitor,
            verbose=verbose,
            save_best_only=save_best_only,
            save_weights_only=save_weights_only,
            mode=mode,
            save_freq=save_freq,
            initial_value_threshold=initial_value_threshold,
            **kwargs,
        )
        active_run("WandbModelCheckpoint()")  # wandb's check: init() comes first
        if self.save_best_only:
            self._check_filepath()

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        # Keras' own method, called for each epoch end or save_freq-th batch; it may decide not to save
        # (save_best_only). Whether it wrote the file is told by the best value it keeps (it changes
        # only when it saves an improvement) or, when it saves without one, by the file's stat.
        filepath = self._get_file_path(epoch, batch, logs or {})
        best, before = self.best, _stamp(filepath)
        super()._save_model(epoch=epoch, batch=batch, logs=logs)
        improved = self.save_best_only and self.best is not best
        if not (improved or not self.save_best_only or _stamp(filepath) != before):
            return
        if not os.path.isfile(filepath):  # a file system whose stat lies: nothing to log
            return
        aliases = ["latest", f"epoch_{epoch}" if batch is None else f"epoch_{epoch}_batch_{batch}"]
        if improved:
            aliases.append("best")
        self._log_ckpt_as_artifact(filepath, aliases=aliases)

    def _log_ckpt_as_artifact(self, filepath: str, aliases: list[str] | None = None) -> None:
        """Log a checkpoint file as a version of ``run_<run id>_model`` (wandb's method name)."""
        run = active_run("training")
        name = Path(filepath).name

        def copy(path: Path) -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(filepath, path)

        log_model_file(run, copy, f"keras-{next(_SEQUENCE)}/{name}", f"run_{run.id}_model", aliases=aliases)

    def _check_filepath(self) -> None:
        if not [field for _, field, _, _ in string.Formatter().parse(self.filepath) if field is not None]:
            termwarn(
                "When using `save_best_only`, ensure that the `filepath` argument "
                "contains formatting placeholders like `{epoch:02d}` or `{batch:02d}`. "
                "This ensures correct interpretation of the logged artifacts.",
                repeat=False,
            )
