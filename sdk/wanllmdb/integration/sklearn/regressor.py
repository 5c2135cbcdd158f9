"""Regressor plots: wandb.sklearn's plot_regressor, outlier candidates (Cook's distance) and residuals."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import model_selection
from sklearn.base import clone

from wanllmdb.data_types.table import Table
from wanllmdb.integration.sklearn.checks import array, fitted, inputs_ok, log_chart
from wanllmdb.integration.sklearn.evaluation import plot_learning_curve, plot_summary_metrics
from wanllmdb.termlog import termlog

__all__ = ["plot_outlier_candidates", "plot_regressor", "plot_residuals"]


def plot_regressor(
    model: Any,
    X_train: Any,
    X_test: Any,
    y_train: Any,
    y_test: Any,
    model_name: str = "Regressor",
) -> None:
    """Every regressor chart: summary metrics, learning curve, outlier candidates and residuals."""
    termlog(f"Plotting {model_name}.")
    plot_summary_metrics(model, X_train, y_train, X_test, y_test)
    termlog("Logged summary metrics.")
    plot_learning_curve(model, X_train, y_train)
    termlog("Logged learning curve.")
    plot_outlier_candidates(model, X_train, y_train)
    termlog("Logged outlier candidates.")
    plot_residuals(model, X_train, y_train)
    termlog("Logged residuals.")


def plot_outlier_candidates(regressor: Any = None, X: Any = None, y: Any = None) -> None:
    """Each sample's influence on a fit of a clone of ``regressor`` (Cook's distance), with the share of
    samples above the 4/n rule of thumb: rows ``distance, instance_indicies, outlier_percentage,
    influence_threshold`` (wandb's spelling) under ``outlier_candidates``."""
    if not (inputs_ok(regressor=regressor, X=X, y=y) and fitted(regressor)):
        return
    features, target = array(X).astype(np.float64), array(y).astype(np.float64)
    model = clone(regressor).fit(features, target)
    leverage = (features * np.linalg.pinv(features).T).sum(1)  # the hat matrix's diagonal
    freedom = features.shape[0] - np.linalg.matrix_rank(features)
    residuals = target - model.predict(features)
    with np.errstate(divide="ignore", invalid="ignore"):
        mse = np.dot(residuals, residuals) / freedom
        studentized = residuals / np.sqrt(mse) / np.sqrt(1 - leverage)
        distance = studentized**2 / features.shape[1] * (leverage / (1 - leverage))
    threshold = 4 / features.shape[0]
    percentage = round(float((distance >= threshold).sum() / features.shape[0] * 100.0), 3)
    table = Table(columns=["distance", "instance_indicies", "outlier_percentage", "influence_threshold"])
    for i, d in enumerate(distance.tolist()):
        table.add_data(d, i, percentage, threshold)
    log_chart("outlier_candidates", "wandb/outliers/v1", table)


def plot_residuals(regressor: Any = None, X: Any = None, y: Any = None) -> None:
    """Predictions against residuals (predicted minus actual) of a clone of ``regressor`` fitted on a
    random 80% of the data, for both parts, with both R² scores: rows ``dataset, y_pred, residuals,
    train_score, test_score`` under ``residuals``."""
    if not (inputs_ok(regressor=regressor, X=X, y=y) and fitted(regressor)):
        return
    x_train, x_test, y_train, y_test = model_selection.train_test_split(array(X), array(y), test_size=0.2)
    model = clone(regressor).fit(x_train, y_train)
    train_score, test_score = float(model.score(x_train, y_train)), float(model.score(x_test, y_test))
    table = Table(columns=["dataset", "y_pred", "residuals", "train_score", "test_score"])
    for dataset, features, target in (("train", x_train, y_train), ("test", x_test, y_test)):
        predicted = model.predict(features)
        for p, r in zip(predicted.tolist(), (predicted - target).tolist(), strict=True):
            table.add_data(dataset, p, r, train_score, test_score)
    log_chart("residuals", "wandb/residuals_plot/v1", table)
