"""LightGBM: wandb's ``wandb_callback()`` and ``log_summary()``, with wandb's arguments, keys and summary.

- ``wandb_callback(log_params=True, define_metric=True)``, passed as ``lgb.train(..., callbacks=[...])``
  (or to the scikit-learn API's ``fit``): at the first round the parameters go into the run config and,
  with ``define_metric``, a metric known to be minimized (``l2``, ``rmse``, losses, ...) or maximized
  (``auc``, ``map``, ...) keeps its best value in the summary. Each round is one step:
  ``<data>_<metric>`` per validation set and metric (``valid_0_l2``; ``lgb.cv`` gives
  ``<data>_<metric>-mean`` and ``-stdv``) and ``iteration``, in one ``log()`` call.
- ``log_summary(model, feature_importance=True, save_model_checkpoint=False)`` after training:
  ``best_iteration`` and ``best_score`` in the summary, feature importance as a ``wanllmdb.plot.bar``
  chart under ``Feature Importance``, and the model at its best iteration as a ``model`` artifact
  ``model_<run id>`` with alias ``best``, uploaded on the SDK's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wanllmdb.integration._framework import (
    Supported,
    active_run,
    config_values,
    log_model_file,
    metric_goal,
    require_framework,
)

lightgbm = require_framework(
    "lightgbm", integration="lightgbm", extra="lightgbm", supported=Supported((4, 0), (5,))
)

import wanllmdb.plot  # noqa: E402
from wanllmdb.data_types.table import Table  # noqa: E402
from wanllmdb.errors import UsageError  # noqa: E402

__all__ = ["MAXIMIZE_METRICS", "MINIMIZE_METRICS", "log_summary", "wandb_callback"]

MINIMIZE_METRICS = ["l1", "l2", "rmse", "mape", "huber", "fair", "poisson", "gamma", "binary_logloss"]
MAXIMIZE_METRICS = ["map", "auc", "average_precision"]


def _names(item: tuple[Any, ...]) -> tuple[str, str]:
    """(data, metric) of one evaluation result: ``("cv_agg", "valid l2", ...)`` from ``cv`` before
    LightGBM 4.0 (wandb's code splits that), ``("valid", "l2", ...)`` otherwise."""
    if len(item) == 5 and " " in str(item[1]):
        data, metric = str(item[1]).split(maxsplit=1)
        return data, metric
    return str(item[0]), str(item[1])


def _keys(item: tuple[Any, ...]) -> list[tuple[str, float]]:
    """(key, value) pairs of one evaluation result: ``(data, metric, value, bigger_is_better)`` from
    ``train``, ``(data, metric, mean, bigger_is_better, stdv)`` from ``cv``."""
    data, metric = _names(item)
    if len(item) == 4:
        return [(f"{data}_{metric}", float(item[2]))]
    return [(f"{data}_{metric}-mean", float(item[2])), (f"{data}_{metric}-stdv", float(item[4]))]


class _WandbCallback:
    """LightGBM calls it after each round (``order`` 20, after its own early-stopping check)."""

    order = 20
    before_iteration = False

    def __init__(self, log_params: bool = True, define_metric: bool = True) -> None:
        self.log_params = log_params
        self.define_metric = define_metric

    def _first_round(self, env: Any) -> None:
        run = active_run("training")
        if self.log_params:
            run.config.update(config_values(env.params), allow_val_change=True)
        if self.define_metric:
            for item in env.evaluation_result_list:
                goal = metric_goal(_names(item)[1], MINIMIZE_METRICS, MAXIMIZE_METRICS)
                if goal is not None:  # cv: the mean's best (the spread's best says nothing)
                    run.define_metric(_keys(item)[0][0], summary=goal)

    def __call__(self, env: Any) -> None:
        if env.iteration == env.begin_iteration:
            self._first_round(env)
        row = {key: value for item in env.evaluation_result_list for key, value in _keys(item)}
        row["iteration"] = env.iteration
        active_run("training").log(row)


def wandb_callback(log_params: bool = True, define_metric: bool = True) -> Callable[[Any], None]:
    """Log LightGBM's evaluation metrics every round, its parameters as config, and (``define_metric``)
    each known metric's best value in the summary."""
    return _WandbCallback(log_params, define_metric)


def _feature_importance(model: Any) -> Table:
    names, values = model.feature_name(), model.feature_importance()
    return Table(
        columns=["Feature", "Importance"], data=[[n, float(v)] for n, v in zip(names, values, strict=True)]
    )


def log_summary(model: Any, feature_importance: bool = True, save_model_checkpoint: bool = False) -> None:
    """After training: best iteration and score in the summary, feature importance, and (with
    ``save_model_checkpoint``) the model at its best iteration as an artifact with alias ``best``."""
    run = active_run("log_summary()")
    if not isinstance(model, lightgbm.Booster):
        raise UsageError(f"log_summary: model should be a lightgbm.Booster, got {type(model).__name__}")
    run.summary["best_iteration"] = model.best_iteration
    run.summary["best_score"] = config_values(model.best_score)
    if feature_importance:
        chart = wanllmdb.plot.bar(
            _feature_importance(model), "Feature", "Importance", title="Feature Importance"
        )
        run.log({"Feature Importance": chart}, commit=False)
    if save_model_checkpoint:
        iteration = model.best_iteration
        log_model_file(
            run,
            lambda path: model.save_model(str(path), num_iteration=iteration),
            f"model_ckpt_{iteration}.txt",
            f"model_{run.id}",
            aliases=["best"],
        )
