"""wandb.sklearn's input checks, each failure reported with ``termerror`` (the chart is then skipped), and
the one way a chart is logged: a table with wandb's columns under wandb's preset id and key."""

from __future__ import annotations

from typing import Any

import numpy as np
import sklearn.base
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from wanllmdb.data_types.table import Table
from wanllmdb.integration._framework import active_run
from wanllmdb.plot import plot_table
from wanllmdb.termlog import termerror, termwarn

__all__ = ["array", "fitted", "inputs_ok", "log_chart"]

_ARRAYS = frozenset({"X", "X_test", "y", "y_test", "y_true", "y_probas", "y_pred", "y_train"})
_FEATURES = frozenset({"X", "X_test"})


def array(value: Any) -> Any:
    """A numpy array of a list, a frame, a series or a tensor-like (sparse matrices become dense)."""
    if hasattr(value, "toarray"):
        value = value.toarray()
    elif hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value)


def _is_clusterer(model: Any) -> bool:
    check = getattr(sklearn.base, "is_clusterer", None)  # scikit-learn >= 1.6
    if check is not None:
        return bool(check(model))
    return getattr(model, "_estimator_type", None) == "clusterer"


def _kind_ok(name: str, value: Any) -> bool:
    """wandb's rule per argument name: which kind of estimator it must be."""
    if name == "model" and not (sklearn.base.is_classifier(value) or sklearn.base.is_regressor(value)):
        termerror(f"{name} is not a classifier or regressor. Please try again.")
        return False
    if name == "clf" and not sklearn.base.is_classifier(value):
        termerror(f"{name} is not a classifier. Please try again.")
        return False
    if name == "regressor" and not sklearn.base.is_regressor(value):
        termerror(f"{name} is not a regressor. Please try again.")
        return False
    if name == "clusterer" and not _is_clusterer(value):
        termerror(f"{name} is not a clusterer. Please try again.")
        return False
    return True


def _features_ok(name: str, value: Any) -> bool:
    """Features must be numbers without missing values, as wandb asks."""
    data = value.data if hasattr(value, "tocsr") else array(value)  # sparse: its stored values only
    if data.dtype.kind not in "biuf":
        try:
            data = data.astype(np.float64)
        except (TypeError, ValueError):
            termerror(
                f"{name} contains values that are not numbers. Please vectorize, label encode or one hot "
                f"encode {name} and call the plotting function again."
            )
            return False
    missing = int(np.count_nonzero(np.isnan(data))) if data.dtype.kind == "f" else 0
    if missing:
        termwarn(f"{name} contains {missing} missing values. ")
        return False
    return True


def inputs_ok(**named: Any) -> bool:
    """wandb's test_missing and test_types together: every argument given, arrays array-like, features
    numeric and complete, estimators of the kind the argument's name asks for."""
    ok = True
    for name, value in named.items():
        if value is None:
            termerror(f"{name} is None. Please try again.")
            ok = False
            continue
        if name in _ARRAYS and (
            isinstance(value, str | bytes) or not (hasattr(value, "__len__") or hasattr(value, "shape"))
        ):
            termerror(f"{name} is not an array. Please try again.")
            ok = False
            continue
        if name in _FEATURES and not _features_ok(name, value):
            ok = False
        if not _kind_ok(name, value):
            ok = False
    return ok


def fitted(model: Any) -> bool:
    """False (with wandb's message) for an estimator that has not been fitted yet."""
    try:
        check_is_fitted(model)
    except NotFittedError:
        termerror("Please fit the model before passing it in.")
        return False
    except TypeError:  # not a scikit-learn estimator: assume it is fitted, as wandb does
        return True
    return True


def log_chart(key: str, preset: str, table: Table, fields: dict[str, str] | None = None) -> None:
    """Log ``table`` under ``key`` as a chart of wandb's ``preset``. wandb's sklearn presets read fixed
    column names, so by default each column is its own field; ``fields`` maps them otherwise."""
    chart = plot_table(preset, table, fields if fields is not None else {c: c for c in table.columns})
    active_run(f"wanllmdb.sklearn ({key})").log({key: chart})
