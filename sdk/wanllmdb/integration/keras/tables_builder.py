"""``WandbEvalCallback``: the base class of callbacks that log a model's predictions as tables.

A subclass fills two tables (wandb's semantics and method names):

- ``add_ground_truth`` fills ``data_table`` (``data_table_columns``) once, when training begins; it is
  logged as the ``dataset`` artifact ``val`` holding the table ``val_data``;
- ``add_model_predictions(epoch)`` fills a fresh ``pred_table`` (``pred_table_columns``) at each
  epoch's end, usually row by row from ``data_table_ref``; it is logged as a new version of the
  ``evaluation`` artifact ``run_<run id>_pred`` holding the table ``eval_data``, aliased ``latest``.

Where it differs from wandb: wandb's ``data_table_ref`` is the table read back from the uploaded
artifact, whose cells the prediction tables then store as references to it; wanllmdb has no references
between tables, so ``data_table_ref`` is ``data_table`` itself (the same ``data``, ``get_index()`` and
columns) and each prediction table holds its values (media in it are stored again in each version,
under their content hash). The data artifact is logged as an output of the run (wandb's
``use_artifact`` records it as an input, and waits for its upload); logging never waits for the server.
"""

from __future__ import annotations

import abc
from typing import Any

from wanllmdb.data_types.table import Table
from wanllmdb.integration._framework import active_run
from wanllmdb.integration.keras._keras import keras

__all__ = ["WandbEvalCallback"]


class WandbEvalCallback(keras.callbacks.Callback, abc.ABC):  # type: ignore[misc,name-defined]
    """Logs ``data_table`` once and ``pred_table`` each epoch; implement ``add_ground_truth`` and
    ``add_model_predictions``. Override ``on_train_begin`` / ``on_epoch_end`` (or add
    ``on_train_batch_end``) to log at other times, with the ``init_*`` and ``log_*`` methods."""

    def __init__(
        self, data_table_columns: list[str], pred_table_columns: list[str], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        active_run("WandbEvalCallback()")  # wandb's check: init() comes first
        self.data_table_columns = data_table_columns
        self.pred_table_columns = pred_table_columns

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.init_data_table(column_names=self.data_table_columns)
        self.add_ground_truth(logs)
        self.log_data_table()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.init_pred_table(column_names=self.pred_table_columns)
        self.add_model_predictions(epoch, logs)
        self.log_pred_table()

    @abc.abstractmethod
    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        """Add the ground truth rows to ``data_table`` (``self.data_table.add_data(...)``); called once,
        when training begins."""

    @abc.abstractmethod
    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Add the model's predictions to ``pred_table``, usually one row per row of
        ``data_table_ref`` (``self.data_table_ref.data[idx]``); called at each epoch's end."""

    def init_data_table(self, column_names: list[str]) -> None:
        """A fresh ``data_table`` (cells of mixed types allowed, as wandb's)."""
        self.data_table = Table(columns=column_names, allow_mixed_types=True)

    def init_pred_table(self, column_names: list[str]) -> None:
        """A fresh ``pred_table``."""
        self.pred_table = Table(columns=column_names)

    def log_data_table(self, name: str = "val", type: str = "dataset", table_name: str = "val_data") -> None:
        """Log ``data_table`` as the artifact ``name`` of ``type``, holding the table ``table_name``;
        ``data_table_ref`` is then the table the prediction rows are built from."""
        from wanllmdb.artifacts import Artifact

        artifact = Artifact(name, type=type)
        artifact.add(self.data_table, table_name)
        active_run("training").log_artifact(artifact)
        self.data_table_ref = self.data_table

    def log_pred_table(
        self, type: str = "evaluation", table_name: str = "eval_data", aliases: list[str] | None = None
    ) -> None:
        """Log ``pred_table`` as a new version of the artifact ``run_<run id>_pred`` of ``type``, holding
        the table ``table_name``, with ``aliases`` (default ``["latest"]``)."""
        from wanllmdb.artifacts import Artifact

        run = active_run("training")
        artifact = Artifact(f"run_{run.id}_pred", type=type)
        artifact.add(self.pred_table, table_name)
        run.log_artifact(artifact, aliases=aliases or ["latest"])
