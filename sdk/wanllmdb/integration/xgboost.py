"""XGBoost: wandb's ``WandbCallback`` for ``xgb.train(..., callbacks=[...])`` and for the scikit-learn API
(``XGBClassifier(callbacks=[...])``), with wandb's arguments, keys and summary.

- Before training: the booster's configuration (``save_config()``, nested) goes into the run config.
- Each boosting round is one step: ``<data>-<metric>`` per evaluation set and metric (``train-rmse``,
  ``validation_0-logloss``) and ``epoch``, in one ``log()`` call. With ``define_metric`` (the default),
  a metric known to be minimized (losses, ``rmse``, ``error``, ...) or maximized (``auc``, ``ndcg``,
  ...) keeps its best value in the summary (``{"min": ...}``), not its last.
- After training: ``best_score`` and ``best_iteration`` (when XGBoost set them: early stopping) as one
  more step, so they are in the summary; feature importance (``get_score(importance_type=)``) as a
  ``wanllmdb.plot.bar`` chart under ``Feature Importance``; and with ``log_model=True`` the booster as
  a ``model`` artifact ``<run id>_model.json``, uploaded on the SDK's thread.

wandb's deprecated ``wandb_callback()`` is here too.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

from wanllmdb.integration._framework import (
    Supported,
    active_run,
    log_model_file,
    metric_goal,
    require_framework,
)

xgb = require_framework("xgboost", integration="xgboost", extra="xgboost", supported=Supported((2, 0), (4,)))

import wanllmdb.plot  # noqa: E402
from wanllmdb.data_types.table import Table  # noqa: E402

__all__ = ["MAXIMIZE_METRICS", "MINIMIZE_METRICS", "WandbCallback", "wandb_callback"]

MINIMIZE_METRICS = ["rmse", "rmsle", "mae", "mape", "mphe", "logloss", "error", "error@t", "merror"]
MAXIMIZE_METRICS = ["auc", "aucpr", "ndcg", "map", "ndcg@n", "map@n"]


def _last(key: str, values: list[Any], out: dict[str, Any]) -> None:
    """A round's value; ``xgb.cv`` gives (mean, std) pairs: the mean under the key, the std beside it."""
    value = values[-1]
    if isinstance(value, tuple | list):
        out[key], out[f"{key}-std"] = float(value[0]), float(value[1])
    else:
        out[key] = float(value)


class WandbCallback(xgb.callback.TrainingCallback):  # type: ignore[misc,name-defined]
    """Logs XGBoost's evaluation metrics every round, its config, best score and feature importance,
    and (``log_model=True``) the model. ``importance_type``: weight, gain, cover, total_gain or
    total_cover for trees (weight for linear boosters)."""

    def __init__(
        self,
        log_model: bool = False,
        log_feature_importance: bool = True,
        importance_type: str = "gain",
        define_metric: bool = True,
    ) -> None:
        super().__init__()
        self.log_model = log_model
        self.log_feature_importance = log_feature_importance
        self.importance_type = importance_type
        self.define_metric = define_metric
        active_run("WandbCallback()")  # wandb's check: init() comes first

    def before_training(self, model: Any) -> Any:
        # allow_val_change: fitting again (a second fit(), a new n_estimators) updates the config
        # instead of raising out of the training call.
        active_run("training").config.update(json.loads(model.save_config()), allow_val_change=True)
        return model

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, dict[str, list[Any]]]) -> bool:
        run = active_run("training")
        row: dict[str, Any] = {}
        for data, metrics in evals_log.items():
            for name, values in metrics.items():
                key = f"{data}-{name}"
                if self.define_metric:
                    goal = metric_goal(name, MINIMIZE_METRICS, MAXIMIZE_METRICS)
                    if goal is not None:
                        run.define_metric(key, summary=goal)
                _last(key, values, row)
        row["epoch"] = epoch
        run.log(row)
        self.define_metric = False  # once, at the first round, as in wandb
        return False

    def after_training(self, model: Any) -> Any:
        run = active_run("training")
        if self.log_model:
            log_model_file(
                run, lambda path: model.save_model(str(path)), f"{run.id}_model.json", f"{run.id}_model.json"
            )
        if self.log_feature_importance:
            self._log_feature_importance(model)
        best_score = model.attr("best_score")
        if best_score is not None:
            run.log({"best_score": float(best_score), "best_iteration": int(model.attr("best_iteration"))})
        return model

    def _log_feature_importance(self, model: Any) -> None:
        scores = model.get_score(importance_type=self.importance_type)
        table = Table(columns=["Feature", "Importance"], data=[[k, float(v)] for k, v in scores.items()])
        chart = wanllmdb.plot.bar(table, "Feature", "Importance", title="Feature Importance")
        active_run("training").log({"Feature Importance": chart})


def wandb_callback() -> Callable[[Any], None]:
    """wandb's old-style callback (``env.evaluation_result_list``), deprecated there as here."""
    warnings.warn(
        "wandb_callback will be deprecated in favor of WandbCallback. "
        "Please use WandbCallback for more features.",
        UserWarning,
        stacklevel=2,
    )

    def callback(env: Any) -> None:
        active_run("training").log(dict(env.evaluation_result_list))

    return callback
