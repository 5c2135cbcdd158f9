"""CatBoost: wandb's ``WandbCallback`` and ``log_summary()``, with wandb's arguments, keys and summary.

- ``WandbCallback(metric_period=1)``, passed as ``model.fit(..., callbacks=[...])``: each time CatBoost
  evaluates its metrics (the first round, every ``metric_period`` rounds, the last) one step with
  ``<data>-<metric>`` per dataset and metric (``learn-RMSE``, ``validation-RMSE``) and
  ``iteration@metric-period-<metric_period>``, in one ``log()`` call. Pass the model's own
  ``metric_period`` so the key says it.
- ``log_summary(model, log_all_params=True, save_model_checkpoint=False, log_feature_importance=True)``
  after training: ``get_all_params()`` as config, ``best_iteration`` and ``best_score`` in the summary,
  the model (CatBoost's ``cbm`` format) as a ``model`` artifact ``model_<run id>`` with alias ``best``
  (``use_best_model``) or ``last``, uploaded on the SDK's thread, and feature importance as a
  ``wanllmdb.plot.bar`` chart under ``Feature Importance``.
"""

from __future__ import annotations

from typing import Any

from wanllmdb.integration._framework import (
    Supported,
    active_run,
    config_values,
    log_model_file,
    require_framework,
)

catboost = require_framework(
    "catboost", integration="catboost", extra="catboost", supported=Supported((1, 0), (2,))
)

import wanllmdb.plot  # noqa: E402
from wanllmdb.data_types.table import Table  # noqa: E402
from wanllmdb.errors import UsageError  # noqa: E402

__all__ = ["WandbCallback", "log_summary"]


class WandbCallback:
    """Logs CatBoost's training and validation metrics each time it evaluates them."""

    def __init__(self, metric_period: int = 1) -> None:
        active_run("WandbCallback()")  # wandb's check: init() comes first
        self.metric_period = metric_period
        self._num_values = 0
        self._iteration_key = f"iteration@metric-period-{metric_period}"

    def after_iteration(self, info: Any) -> bool:
        # CatBoost appends to the metric lists only on the rounds it evaluates them: log those rounds.
        num_values = sum(len(values) for metrics in info.metrics.values() for values in metrics.values())
        if num_values > self._num_values:
            self._num_values = num_values
            row: dict[str, Any] = {
                f"{data}-{name}": float(values[-1])
                for data, metrics in info.metrics.items()
                for name, values in metrics.items()
            }
            row[self._iteration_key] = info.iteration
            active_run("training").log(row)
        return True  # go on training


def log_summary(
    model: Any,
    log_all_params: bool = True,
    save_model_checkpoint: bool = False,
    log_feature_importance: bool = True,
) -> None:
    """After training: parameters as config, best iteration and score in the summary, (optionally) the
    model as an artifact, and feature importance."""
    run = active_run("log_summary()")
    if not isinstance(model, catboost.CatBoostClassifier | catboost.CatBoostRegressor):
        raise UsageError(
            "log_summary: model should be a CatBoostClassifier or CatBoostRegressor, "
            f"got {type(model).__name__}"
        )
    params = model.get_all_params()
    if log_all_params:
        run.config.update(config_values(params), allow_val_change=True)
    run.summary["best_iteration"] = model.get_best_iteration()
    run.summary["best_score"] = config_values(model.get_best_score())
    if save_model_checkpoint:
        aliases = ["best"] if params.get("use_best_model") else ["last"]
        log_model_file(
            run, lambda path: model.save_model(str(path)), "model", f"model_{run.id}", aliases=aliases
        )
    if log_feature_importance:
        values = model.get_feature_importance()
        rows = sorted(zip(model.feature_names_, values.tolist(), strict=True), key=lambda r: -r[1])
        table = Table(columns=["Feature", "Importance"], data=[list(r) for r in rows])
        chart = wanllmdb.plot.bar(table, "Feature", "Importance", title="Feature Importance")
        run.log({"Feature Importance": chart}, commit=False)
