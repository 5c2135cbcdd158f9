"""Charts for classifiers and regressors alike: summary metrics and the learning curve."""

from __future__ import annotations

from typing import Any

import numpy as np
import sklearn.base
from sklearn import metrics, model_selection

from wanllmdb.data_types.table import Table
from wanllmdb.integration.sklearn.checks import array, fitted, inputs_ok, log_chart

__all__ = ["plot_learning_curve", "plot_summary_metrics"]


def plot_summary_metrics(
    model: Any = None,
    X: Any = None,
    y: Any = None,
    X_test: Any = None,
    y_test: Any = None,
) -> None:
    """The fitted model's scores on the test set, rounded to 2 places, as rows ``metric_name,
    metric_value, model_name`` under ``summary_metrics``: accuracy, weighted precision, recall and F1
    for a classifier; MAE, MSE and R² for a regressor."""
    if not (inputs_ok(model=model, X=X, y=y, X_test=X_test, y_test=y_test) and fitted(model)):
        return
    truth = array(y_test)
    predicted = model.predict(X_test)
    scores: dict[str, float] = {}
    if sklearn.base.is_classifier(model):
        scores["accuracy_score"] = metrics.accuracy_score(truth, predicted)
        scores["precision"] = metrics.precision_score(truth, predicted, average="weighted", zero_division=0)
        scores["recall"] = metrics.recall_score(truth, predicted, average="weighted", zero_division=0)
        scores["f1_score"] = metrics.f1_score(truth, predicted, average="weighted", zero_division=0)
    else:
        scores["mae"] = metrics.mean_absolute_error(truth, predicted)
        scores["mse"] = metrics.mean_squared_error(truth, predicted)
        scores["r2_score"] = metrics.r2_score(truth, predicted)
    table = Table(columns=["metric_name", "metric_value", "model_name"])
    for name, value in scores.items():
        table.add_data(name, round(float(value), 2), type(model).__name__)
    log_chart("summary_metrics", "wandb/metrics/v1", table)


def plot_learning_curve(
    model: Any = None,
    X: Any = None,
    y: Any = None,
    cv: Any = None,
    shuffle: bool = False,
    random_state: Any = None,
    train_sizes: Any = None,
    n_jobs: int | None = 1,
    scoring: Any = None,
) -> None:
    """Mean train and cross-validation scores against the training-set size
    (``sklearn.model_selection.learning_curve``, which fits clones of ``model``), rows ``dataset, score,
    train_size`` under ``learning_curve``."""
    if not inputs_ok(model=model, X=X, y=y):
        return
    sizes, train_scores, test_scores = model_selection.learning_curve(
        model,
        X,
        array(y),
        cv=cv,
        n_jobs=n_jobs,
        train_sizes=np.linspace(0.1, 1.0, 5) if train_sizes is None else train_sizes,
        scoring=scoring,
        shuffle=shuffle,
        random_state=random_state,
    )
    table = Table(columns=["dataset", "score", "train_size"])
    for size, train, test in zip(
        sizes.tolist(), train_scores.mean(axis=1).tolist(), test_scores.mean(axis=1).tolist(), strict=True
    ):
        table.add_data("train", round(train, 2), size)
        table.add_data("test", round(test, 2), size)
    log_chart("learning_curve", "wandb/learning_curve/v1", table)
