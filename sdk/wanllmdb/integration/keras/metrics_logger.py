"""``WandbMetricsLogger``: ``model.fit``'s logs under wandb's keys, each epoch or every few batches.

- Each epoch: ``epoch/<metric>`` for every entry of Keras' logs (``epoch/loss``, ``epoch/val_loss``,
  ...), ``epoch/epoch`` (0-based) and ``epoch/learning_rate``, in one ``log()`` call, with
  ``epoch/epoch`` as the x-axis of ``epoch/*``.
- ``log_freq="batch"`` (or an int n): also ``batch/<metric>``, ``batch/batch_step`` and
  ``batch/learning_rate`` every n-th batch of an epoch (its 0th, n-th, ...), with ``batch/batch_step``
  (0, n, 2n, ... over the whole fit) as the x-axis of ``batch/*``.

The learning rate is the optimizer's: at an epoch's end ``optimizer.learning_rate`` (Keras evaluates a
schedule at ``optimizer.iterations``). Within an epoch the JAX backend holds the training state outside
the model's variables (synced at the epoch's end, or by each access to a callback's ``model``, which
costs a copy of every variable), so a batch's learning rate is the one read at the epoch's start, or
the schedule evaluated at the batch's global step (``initial_global_step`` + the batches this callback
has seen), as wandb does with its fallback.
"""

from __future__ import annotations

from typing import Any, Literal

from wanllmdb.integration._framework import active_run
from wanllmdb.integration.keras._keras import keras
from wanllmdb.termlog import termerror

__all__ = ["LogStrategy", "WandbMetricsLogger"]

LogStrategy = Literal["epoch", "batch"]


class WandbMetricsLogger(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
    """Logs ``model.fit``'s metrics and learning rate to the active run (wandb's keys and arguments).

    ``log_freq``: ``"epoch"`` (the default), ``"batch"`` (every batch too) or an int n (every n-th
    batch too). ``initial_global_step``: where a resumed fit's global step starts (steps per epoch x
    ``initial_epoch``), for the batch learning rate of a schedule."""

    def __init__(
        self,
        log_freq: LogStrategy | int = "epoch",
        initial_global_step: int = 0,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        run = active_run("WandbMetricsLogger()")  # wandb's check: init() comes first
        if log_freq == "batch":
            log_freq = 1
        self.logging_batch_wise = isinstance(log_freq, int)
        self.log_freq: int | None = log_freq if isinstance(log_freq, int) else None
        self.global_batch = 0
        self.global_step = initial_global_step
        self._epoch_lr: float | None = None
        if self.logging_batch_wise:
            run.define_metric("batch/batch_step")
            run.define_metric("batch/*", step_metric="batch/batch_step")
        else:
            run.define_metric("epoch/epoch")
            run.define_metric("epoch/*", step_metric="epoch/epoch")
            # Nothing happens per batch: Keras may then run the batch hooks on its worker threads
            # instead of converting every batch's logs to Python numbers on the training loop (on JAX,
            # a wait for the device each step).
            self.async_safe = True

    def _get_lr(self, *, within_epoch: bool = False) -> float | None:
        # Within an epoch, not `self.model`: on JAX that property copies the whole training state back
        # into the model's variables (and the next step then takes it out again), ~0.3 ms a batch.
        model = getattr(self, "_model", None) if within_epoch else None
        optimizer = (model if model is not None else self.model).optimizer
        schedule = getattr(optimizer, "_learning_rate", None)
        try:
            if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule) and within_epoch:
                value = schedule(self.global_step)
            elif within_epoch and self._epoch_lr is not None:
                return self._epoch_lr
            else:
                value = optimizer.learning_rate
            if isinstance(value, keras.Variable):  # its tensor: numpy's array protocol is deprecated on it
                value = value.value
            return float(keras.ops.convert_to_numpy(value).item())
        except Exception as exc:  # a custom optimizer: the metrics are still logged
            termerror(f"Unable to log learning rate: {exc}", repeat=False)
            return None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        # The optimizer's variables hold their values here on every backend (see the module's note).
        if self.logging_batch_wise:
            self._epoch_lr = self._get_lr()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        row = {f"epoch/{k}": v for k, v in (logs or {}).items()}
        row["epoch/epoch"] = epoch
        lr = self._get_lr()
        if lr is not None:
            row["epoch/learning_rate"] = lr
        active_run("training").log(row)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """wandb's alias of ``on_train_batch_end``, which Keras calls."""
        if not self.logging_batch_wise:
            return
        self.global_step += 1
        assert self.log_freq is not None
        if batch % self.log_freq == 0:
            row = {f"batch/{k}": v for k, v in (logs or {}).items()}
            row["batch/batch_step"] = self.global_batch
            lr = self._get_lr(within_epoch=True)
            if lr is not None:
                row["batch/learning_rate"] = lr
            active_run("training").log(row)
            self.global_batch += self.log_freq

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.on_batch_end(batch, logs)
