"""Classifier plots: wandb.sklearn's plot_classifier and the charts it is made of."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from sklearn import model_selection, naive_bayes
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.calibration import calibration_curve as calibration_points
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix as confusion_counts
from sklearn.utils.multiclass import unique_labels

import wanllmdb.plot
from wanllmdb.data_types.table import Table
from wanllmdb.integration._framework import active_run
from wanllmdb.integration.sklearn.checks import array, fitted, inputs_ok, log_chart
from wanllmdb.integration.sklearn.evaluation import plot_learning_curve, plot_summary_metrics
from wanllmdb.termlog import termlog, termwarn

__all__ = [
    "plot_calibration_curve",
    "plot_class_proportions",
    "plot_classifier",
    "plot_confusion_matrix",
    "plot_feature_importances",
    "plot_precision_recall",
    "plot_roc",
]

_IMPORTANCE_ATTRIBUTES = ("feature_importances_", "feature_log_prob_", "coef_")


def plot_classifier(
    model: Any,
    X_train: Any,
    X_test: Any,
    y_train: Any,
    y_test: Any,
    y_pred: Any,
    y_probas: Any,
    labels: list[Any] | None,
    is_binary: bool = False,
    model_name: str = "Classifier",
    feature_names: list[str] | None = None,
    log_learning_curve: bool = False,
) -> None:
    """Every classifier chart: feature importances, (learning curve), confusion matrix, summary metrics,
    class proportions, calibration curve, ROC and precision-recall, each at its own step as in wandb."""
    termlog(f"Plotting {model_name}.")
    if not isinstance(model, naive_bayes.MultinomialNB):
        plot_feature_importances(model, feature_names)
        termlog("Logged feature importances.")
    if log_learning_curve:
        plot_learning_curve(model, X_train, y_train)
        termlog("Logged learning curve.")
    plot_confusion_matrix(y_test, y_pred, labels)
    termlog("Logged confusion matrix.")
    plot_summary_metrics(model, X=X_train, y=y_train, X_test=X_test, y_test=y_test)
    termlog("Logged summary metrics.")
    plot_class_proportions(y_train, y_test, labels)
    termlog("Logged class proportions.")
    if not isinstance(model, naive_bayes.MultinomialNB):
        plot_calibration_curve(model, X_train, y_train, model_name)
        termlog("Logged calibration curve.")
    plot_roc(y_test, y_probas, labels)
    termlog("Logged roc curve.")
    plot_precision_recall(y_test, y_probas, labels)
    termlog("Logged precision-recall curve.")


def plot_roc(
    y_true: Any = None,
    y_probas: Any = None,
    labels: list[Any] | None = None,
    plot_micro: bool = True,
    plot_macro: bool = True,
    classes_to_plot: list[Any] | None = None,
) -> None:
    """One ROC curve per class (``wanllmdb.plot.roc_curve``) under ``roc``; ``plot_micro`` and
    ``plot_macro`` are accepted and unused, as in wandb."""
    run = active_run("wanllmdb.sklearn.plot_roc")
    run.log({"roc": wanllmdb.plot.roc_curve(y_true, y_probas, labels, classes_to_plot)})


def plot_precision_recall(
    y_true: Any = None,
    y_probas: Any = None,
    labels: list[Any] | None = None,
    plot_micro: bool = True,
    classes_to_plot: list[Any] | None = None,
) -> None:
    """One precision-recall curve per class (``wanllmdb.plot.pr_curve``) under ``precision_recall``."""
    run = active_run("wanllmdb.sklearn.plot_precision_recall")
    run.log({"precision_recall": wanllmdb.plot.pr_curve(y_true, y_probas, labels, classes_to_plot)})


def _name(value: Any, labels: list[Any] | None) -> Any:
    """A class's display name: ``labels[value]`` for an integer class when labels are given."""
    plain = value.item() if hasattr(value, "item") else value
    if labels is not None and isinstance(plain, int) and 0 <= plain < len(labels):
        return labels[plain]
    return plain


def plot_confusion_matrix(
    y_true: Any = None,
    y_pred: Any = None,
    labels: list[Any] | None = None,
    true_labels: list[Any] | None = None,
    pred_labels: list[Any] | None = None,
    normalize: bool = False,
) -> None:
    """Counts of (actual, predicted) pairs as rows ``Predicted, Actual, Count`` (wandb's columns) under
    ``confusion_matrix``. ``true_labels``/``pred_labels`` keep only those rows/columns (by class or by
    name); ``normalize`` divides each actual class's row by its size. Unlike wandb, ``Actual`` is the true
    class of each count (wandb's table has the two transposed)."""
    if not inputs_ok(y_true=y_true, y_pred=y_pred):
        return
    truth, predicted = array(y_true), array(y_pred)
    classes = unique_labels(truth, predicted)
    counts = confusion_counts(truth, predicted, labels=classes)
    if normalize:
        with np.errstate(divide="ignore", invalid="ignore"):
            counts = np.around(counts.astype(np.float64) / counts.sum(axis=1)[:, np.newaxis], decimals=2)
        counts[np.isnan(counts)] = 0.0
    names = [_name(c, labels) for c in classes]

    def keep(wanted: list[Any] | None) -> list[int]:
        if wanted is None:
            return list(range(len(classes)))
        return [
            i
            for i, (c, n) in enumerate(zip(classes.tolist(), names, strict=True))
            if c in wanted or n in wanted
        ]

    table = Table(columns=["Predicted", "Actual", "Count"])
    for i, j in itertools.product(keep(true_labels), keep(pred_labels)):
        table.add_data(names[j], names[i], counts[i, j].item())
    fields = {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "Count"}
    log_chart("confusion_matrix", "wandb/confusion_matrix/v1", table, fields)


def plot_feature_importances(
    model: Any = None,
    feature_names: list[str] | None = None,
    title: str = "Feature Importance",
    max_num_features: int = 50,
) -> None:
    """The model's ``feature_importances_`` (else ``feature_log_prob_``, else ``coef_``), largest first,
    at most ``max_num_features`` of them, as rows ``feature_names, importances`` under
    ``feature_importances``."""
    if not (inputs_ok(model=model) and fitted(model)):
        return
    found = next((a for a in _IMPORTANCE_ATTRIBUTES if hasattr(model, a)), None)
    if found is None:
        termwarn(
            f"could not find any of attributes {', '.join(_IMPORTANCE_ATTRIBUTES)} on classifier. "
            "Cannot plot feature importances."
        )
        return
    importances = np.asarray(getattr(model, found))
    if importances.ndim > 1:
        if sum(d > 1 for d in importances.shape) > 1:
            termwarn(
                f"{importances.ndim}-dimensional feature importances array passed to "
                "plot_feature_importances. These importances will not be plotted."
            )
            return
        importances = np.squeeze(importances).reshape(-1)
    order = np.argsort(importances, kind="stable")[::-1][:max_num_features]
    names = order.tolist() if feature_names is None else [feature_names[i] for i in order.tolist()]
    table = Table(columns=["feature_names", "importances"])
    for name, value in zip(names, importances[order].tolist(), strict=True):
        table.add_data(name, value)
    log_chart("feature_importances", "wandb/feature_importances/v1", table, None)


def plot_class_proportions(y_train: Any = None, y_test: Any = None, labels: list[Any] | None = None) -> None:
    """How many samples of each class the training and test sets hold: rows ``class, dataset, count``
    under ``class_proportions``."""
    if not inputs_ok(y_train=y_train, y_test=y_test):
        return
    train, test = array(y_train), array(y_test)
    table = Table(columns=["class", "dataset", "count"])
    for cls in unique_labels(train, test):
        table.add_data(_name(cls, labels), "train", int((train == cls).sum()))
        table.add_data(_name(cls, labels), "test", int((test == cls).sum()))
    log_chart("class_proportions", "wandb/class_proportions/v1", table)


def plot_calibration_curve(
    clf: Any = None, X: Any = None, y: Any = None, clf_name: str = "Classifier"
) -> None:
    """Reliability curves of a logistic-regression baseline and of ``clf`` calibrated isotonically and
    with a sigmoid (each fitted on 10% of X, as wandb does; ``clf`` itself is not refitted), rows
    ``model, fraction_of_positives, mean_predicted_value, hist_dict, edge_dict`` under
    ``calibration_curve``. Binary labels (0/1) only, as in wandb."""
    if not (inputs_ok(clf=clf, X=X, y=y) and fitted(clf)):
        return
    labels = array(y)
    if labels.dtype.kind in "USO" or not ((labels == 0) | (labels == 1)).all():
        termwarn(
            "This function only supports binary classification at the moment and therefore expects labels "
            "to be binary. Skipping calibration curve."
        )
        return
    features = array(X)
    if isinstance(clf, naive_bayes.ComplementNB):  # needs non-negative features
        features = features - features.min()
    table = Table(
        columns=["model", "fraction_of_positives", "mean_predicted_value", "hist_dict", "edge_dict"]
    )
    table.add_data("Perfectly calibrated", 0, 0, 0, 0)
    table.add_data("Perfectly calibrated", 1, 1, 0, 0)
    x_train, x_test, y_train, y_test = model_selection.train_test_split(
        features, labels, test_size=0.9, random_state=42
    )
    models = {
        "Logistic": LogisticRegression(C=1.0),
        f"{clf_name} Isotonic": CalibratedClassifierCV(clone(clf), cv=2, method="isotonic"),
        f"{clf_name} Sigmoid": CalibratedClassifierCV(clone(clf), cv=2, method="sigmoid"),
    }
    for name, model in models.items():
        model.fit(x_train, y_train)
        if hasattr(model, "predict_proba"):
            positive = model.predict_proba(x_test)[:, 1]
        else:
            scores = model.decision_function(x_test)
            positive = (scores - scores.min()) / (scores.max() - scores.min())
        hist, edges = np.histogram(positive, bins=10)
        fraction, mean_predicted = calibration_points(y_test, positive, n_bins=10)
        for i in range(len(fraction)):
            table.add_data(
                name,
                round(float(fraction[i]), 3),
                round(float(mean_predicted[i]), 3),
                int(hist[i]),
                float(edges[i]),
            )
    log_chart("calibration_curve", "wandb/calibration/v1", table)
