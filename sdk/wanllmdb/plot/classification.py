"""wandb's classifier charts: confusion_matrix, roc_curve and pr_curve, computed in numpy.

The curves follow scikit-learn's ``roc_curve`` (with ``drop_intermediate``) and
``precision_recall_curve`` exactly (a test compares them), without scikit-learn at runtime. Unlike
wandb, nothing is resampled to fit a row cap: a table has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wanllmdb.data_types.base import import_optional, is_tensor, tensor_to_numpy
from wanllmdb.data_types.table import Table
from wanllmdb.errors import InvalidValue
from wanllmdb.plot.custom_chart import CustomChart, plot_table

__all__ = ["confusion_matrix", "pr_curve", "pr_points", "roc_curve", "roc_points"]


def _array(name: str, value: Any, np: Any) -> Any:
    if value is None:
        raise InvalidValue(f"{name} is required")
    if is_tensor(value):
        value = tensor_to_numpy(value)
    return np.asarray(value)


def _clf_counts(y_true: Any, y_score: Any, np: Any) -> tuple[Any, Any, Any]:
    """False and true positives at each distinct score, highest score first (sklearn's
    confusion_matrix_at_thresholds without weights)."""
    order = np.argsort(y_score, kind="mergesort")[::-1]
    score = y_score[order]
    positive = y_true[order]
    distinct = np.where(np.diff(score))[0]
    last = np.r_[distinct, positive.size - 1]
    tps = np.cumsum(positive, dtype=np.float64)[last]
    fps = 1 + last - tps
    return fps, tps, score[last]


def roc_points(y_true: Any, y_score: Any, pos_label: Any) -> tuple[Any, Any, Any]:
    """(fpr, tpr, thresholds) of one class against the rest, as sklearn.metrics.roc_curve."""
    np = import_optional("numpy", "roc_curve", "numpy")
    fps, tps, thresholds = _clf_counts(np.asarray(y_true) == pos_label, np.asarray(y_score, float), np)
    if fps.size > 2:
        keep = np.where(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, thresholds


def pr_points(y_true: Any, y_score: Any, pos_label: Any) -> tuple[Any, Any, Any]:
    """(precision, recall, thresholds), as sklearn.metrics.precision_recall_curve."""
    np = import_optional("numpy", "pr_curve", "numpy")
    fps, tps, thresholds = _clf_counts(np.asarray(y_true) == pos_label, np.asarray(y_score, float), np)
    ps = tps + fps
    precision = np.divide(tps, ps, out=np.zeros_like(tps), where=ps != 0)
    recall = np.ones_like(tps) if tps[-1] == 0 else tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def _classes(y_true: Any, y_probas: Any, labels: Sequence[str] | None, classes_to_plot: Any, np: Any) -> Any:
    if y_probas.ndim != 2 or y_probas.shape[0] != y_true.shape[0]:
        raise InvalidValue(
            f"y_probas must be (num_samples, num_classes) for {y_true.shape[0]} labels in y_true, got shape "
            f"{tuple(y_probas.shape)}"
        )
    classes = np.unique(y_true)
    if classes.size > y_probas.shape[1]:
        raise InvalidValue(f"y_true has {classes.size} classes but y_probas has {y_probas.shape[1]} columns")
    wanted = classes if classes_to_plot is None else np.asarray(classes_to_plot)
    for i in np.where(np.isin(classes, wanted))[0]:
        cls = classes[i]
        is_int = isinstance(cls, int) or np.issubdtype(type(cls), np.integer)
        name = labels[int(cls)] if labels is not None and is_int else cls
        yield i, cls, name.item() if hasattr(name, "item") else name


def roc_curve(
    y_true: Any,
    y_probas: Any = None,
    labels: list[str] | None = None,
    classes_to_plot: list[Any] | None = None,
    title: str = "ROC Curve",
    split_table: bool = False,
) -> CustomChart:
    np = import_optional("numpy", "roc_curve", "numpy")
    y_true, y_probas = _array("y_true", y_true, np), _array("y_probas", y_probas, np)
    table = Table(columns=["class", "fpr", "tpr"])
    for i, cls, name in _classes(y_true, y_probas, labels, classes_to_plot, np):
        fpr, tpr, _ = roc_points(y_true, y_probas[:, i], cls)
        for f, t in zip(np.round(fpr, 3).tolist(), np.round(tpr, 3).tolist(), strict=True):
            table.add_data(name, f, t)
    return plot_table(
        "wandb/area-under-curve/v0",
        table,
        {"x": "fpr", "y": "tpr", "class": "class"},
        {"title": title, "x-axis-title": "False positive rate", "y-axis-title": "True positive rate"},
        split_table,
    )


def pr_curve(
    y_true: Any = None,
    y_probas: Any = None,
    labels: list[str] | None = None,
    classes_to_plot: list[Any] | None = None,
    interp_size: int = 21,
    title: str = "Precision-Recall Curve",
    split_table: bool = False,
) -> CustomChart:
    """wandb's layout: precision made monotone, sampled at ``interp_size`` recalls from 1 down to 0."""
    np = import_optional("numpy", "pr_curve", "numpy")
    if not isinstance(interp_size, int) or interp_size < 2:
        raise InvalidValue(f"pr_curve: interp_size must be an integer >= 2, got {interp_size!r}")
    y_true, y_probas = _array("y_true", y_true, np), _array("y_probas", y_probas, np)
    recall_grid = np.linspace(0, 1, interp_size)[::-1]
    table = Table(columns=["class", "precision", "recall"])
    for i, cls, name in _classes(y_true, y_probas, labels, classes_to_plot, np):
        precision, recall, _ = pr_points(y_true, y_probas[:, i], cls)
        precision = np.maximum.accumulate(precision)[::-1]  # monotone, then recall ascending
        at = np.searchsorted(recall[::-1], recall_grid, side="left")
        for p, r in zip(np.round(precision[at], 3).tolist(), np.round(recall_grid, 3).tolist(), strict=True):
            table.add_data(name, p, r)
    return plot_table(
        "wandb/area-under-curve/v0",
        table,
        {"x": "recall", "y": "precision", "class": "class"},
        {"title": title, "x-axis-title": "Recall", "y-axis-title": "Precision"},
        split_table,
    )


def confusion_matrix(
    probs: Any = None,
    y_true: Any = None,
    preds: Any = None,
    class_names: list[str] | None = None,
    title: str = "Confusion Matrix Curve",
    split_table: bool = False,
) -> CustomChart:
    np = import_optional("numpy", "confusion_matrix", "numpy")
    if probs is not None and preds is not None:
        raise InvalidValue("confusion_matrix: give probs or preds, not both")
    if probs is not None:
        preds = np.argmax(_array("probs", probs, np), axis=1)
    truth = _array("y_true", y_true, np).tolist()
    predicted = _array("preds", preds, np).tolist()
    if len(predicted) != len(truth):
        raise InvalidValue(
            f"confusion_matrix: {len(predicted)} predictions but {len(truth)} labels in y_true"
        )
    if class_names is not None:
        indices = list(range(len(class_names)))
        outside = sorted({v for v in (*predicted, *truth) if v not in indices}, key=str)
        if outside:
            raise InvalidValue(
                f"confusion_matrix: labels {outside[:5]} are not indices of the "
                f"{len(class_names)} class_names"
            )
    else:
        indices = sorted(set(predicted) | set(truth))
        class_names = [f"Class_{i + 1}" for i in range(len(indices))]
    at = {value: i for i, value in enumerate(indices)}
    counts = np.zeros((len(indices), len(indices)), dtype=np.int64)
    np.add.at(counts, ([at[v] for v in truth], [at[v] for v in predicted]), 1)
    table = Table(columns=["Actual", "Predicted", "nPredictions"])
    for i, actual in enumerate(class_names):
        for j, guess in enumerate(class_names):
            table.add_data(actual, guess, int(counts[i, j]))
    return plot_table(
        "wandb/confusion_matrix/v1",
        table,
        {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "nPredictions"},
        {"title": title},
        split_table,
    )
