"""wanllmdb.integration.sklearn: wandb's plots of a real classifier, regressor and clusterer fitted on
synthetic data, logged to a real local server and read back: wandb's keys, columns and preset ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import confusion_matrix

import wanllmdb
from tests.sdk.conftest import OfflineRun
from tests.sdk.integrations.conftest import Landed
from wanllmdb.errors import UsageError
from wanllmdb.integration import sklearn as wsk
from wanllmdb.run import Run

CLASSIFIER_CHARTS = {  # key: (preset, columns), as wandb logs them
    "feature_importances": ("wandb/feature_importances/v1", ["feature_names", "importances"]),
    "learning_curve": ("wandb/learning_curve/v1", ["dataset", "score", "train_size"]),
    "confusion_matrix": ("wandb/confusion_matrix/v1", ["Predicted", "Actual", "Count"]),
    "summary_metrics": ("wandb/metrics/v1", ["metric_name", "metric_value", "model_name"]),
    "class_proportions": ("wandb/class_proportions/v1", ["class", "dataset", "count"]),
    "calibration_curve": (
        "wandb/calibration/v1",
        ["model", "fraction_of_positives", "mean_predicted_value", "hist_dict", "edge_dict"],
    ),
    "roc": ("wandb/area-under-curve/v0", ["class", "fpr", "tpr"]),
    "precision_recall": ("wandb/area-under-curve/v0", ["class", "precision", "recall"]),
}
REGRESSOR_CHARTS = {
    "summary_metrics": ("wandb/metrics/v1", ["metric_name", "metric_value", "model_name"]),
    "learning_curve": ("wandb/learning_curve/v1", ["dataset", "score", "train_size"]),
    "outlier_candidates": (
        "wandb/outliers/v1",
        ["distance", "instance_indicies", "outlier_percentage", "influence_threshold"],
    ),
    "residuals": ("wandb/residuals_plot/v1", ["dataset", "y_pred", "residuals", "train_score", "test_score"]),
    "elbow_curve": ("wandb/elbow/v1", ["cluster_ranges", "errors", "clustering_time"]),
    "silhouette_plot": (
        "wandb/silhouette_/v1",
        ["x", "y", "colors", "centerx", "centery", "y_sil", "x1", "x2", "color_sil", "silhouette_avg"],
    ),
}


def rows(out: Landed, key: str) -> list[dict[str, Any]]:
    table = out.table(f"{key}_table")
    return [dict(zip(table["columns"], row, strict=True)) for row in table["data"]]


def check_charts(out: Landed, charts: dict[str, tuple[str, list[str]]]) -> None:
    for key, (preset, columns) in charts.items():
        assert out.panel(key)["panelDefId"] == preset, key
        assert out.table(f"{key}_table")["columns"] == columns, key


@pytest.mark.slow
def test_plot_classifier_logs_every_chart_with_wandbs_keys_columns_and_presets(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    X, y = make_classification(240, 5, n_informative=3, random_state=0)
    X_train, X_test, y_train, y_test = X[:180], X[180:], y[:180], y[180:]
    model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X_train, y_train)
    predicted, probas = model.predict(X_test), model.predict_proba(X_test)
    run = online_run()
    wsk.plot_classifier(
        model, X_train, X_test, y_train, y_test, predicted, probas, ["no", "yes"],
        model_name="RF", feature_names=list("abcde"), log_learning_curve=True,
    )  # fmt: skip
    out = landed(run)
    check_charts(out, CLASSIFIER_CHARTS)
    assert out.column("_step") == list(range(8))  # one step per chart, as wandb's separate log() calls

    importances = rows(out, "feature_importances")
    assert [r["importances"] for r in importances] == pytest.approx(sorted(model.feature_importances_)[::-1])
    assert {r["feature_names"] for r in importances} == set("abcde")
    counts = confusion_matrix(y_test, predicted)
    cells = {(r["Actual"], r["Predicted"]): r["Count"] for r in rows(out, "confusion_matrix")}
    assert cells == {
        (a, p): counts[i, j] for i, a in enumerate(["no", "yes"]) for j, p in enumerate(["no", "yes"])
    }
    assert (
        out.panel("confusion_matrix")["fieldSettings"]["nPredictions"] == "Count"
    )  # the dashboard's heatmap
    proportions = {(r["class"], r["dataset"]): r["count"] for r in rows(out, "class_proportions")}
    assert proportions[("yes", "train")] == int(y_train.sum()) and proportions[("no", "test")] == int(
        (y_test == 0).sum()
    )
    metrics = {r["metric_name"]: r["metric_value"] for r in rows(out, "summary_metrics")}
    assert metrics["accuracy_score"] == round(float((predicted == y_test).mean()), 2)
    assert {r["model"] for r in rows(out, "calibration_curve")} == {
        "Perfectly calibrated", "Logistic", "RF Isotonic", "RF Sigmoid"
    }  # fmt: skip
    assert {r["class"] for r in rows(out, "roc")} == {"no", "yes"}
    assert {r["dataset"] for r in rows(out, "learning_curve")} == {"train", "test"}


@pytest.mark.slow
def test_plot_regressor_and_plot_clusterer_log_wandbs_charts(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    X, y = make_regression(120, 3, noise=0.5, random_state=0)
    model = Ridge().fit(X[:90], y[:90])
    coef = model.coef_.copy()
    blobs, _ = make_blobs(90, 2, centers=3, random_state=0)
    kmeans = KMeans(3, n_init=2, random_state=0).fit(blobs)
    run = online_run()
    wsk.plot_regressor(model, X[:90], X[90:], y[:90], y[90:], "Ridge")
    wsk.plot_clusterer(kmeans, blobs, kmeans.labels_, None, "KMeans")
    out = landed(run)
    check_charts(out, REGRESSOR_CHARTS)
    np.testing.assert_array_equal(model.coef_, coef)  # residuals and outliers fit a clone, not the model

    outliers = rows(out, "outlier_candidates")
    assert [r["instance_indicies"] for r in outliers] == list(range(90))  # no 1,000-row cap, no sampling
    assert all(r["influence_threshold"] == pytest.approx(4 / 90) for r in outliers)
    residuals = rows(out, "residuals")
    assert [r["dataset"] for r in residuals].count("train") == 72 and len(residuals) == 90
    assert [r["cluster_ranges"] for r in rows(out, "elbow_curve")] == [1, 3, 5, 7, 9]
    silhouette = rows(out, "silhouette_plot")
    assert len(silhouette) == 90 and {r["color_sil"] for r in silhouette} == {0, 1, 2}
    centers = sorted({(round(r["centerx"], 6), round(r["centery"], 6)) for r in silhouette})
    assert centers == sorted((round(x, 6), round(y, 6)) for x, y in kmeans.cluster_centers_.tolist())


def test_an_input_that_cannot_be_plotted_is_reported_and_its_chart_skipped(
    offline_run: OfflineRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run = offline_run()
    X, y = make_regression(30, 2, random_state=0)
    wsk.plot_feature_importances(LinearRegression())  # not fitted
    wsk.plot_summary_metrics(Ridge().fit(X, y), X, y, None, y)  # no X_test
    wsk.plot_calibration_curve(Ridge().fit(X, y), X, y)  # a regressor where a classifier is needed
    wsk.plot_outlier_candidates(Ridge().fit(X, y), np.where(X > 0, np.nan, X), y)  # missing values
    err = capsys.readouterr().err
    assert "Please fit the model before passing it in." in err
    assert "X_test is None. Please try again." in err
    assert "clf is not a classifier. Please try again." in err
    assert "X contains" in err and "missing values" in err
    assert run.step == 0 and "_wandb" not in run.config  # nothing logged


def test_plots_need_an_active_run() -> None:
    assert wanllmdb.run is None
    with pytest.raises(UsageError, match=r"call wanllmdb\.init\(\) before wanllmdb\.sklearn\.plot_roc"):
        wsk.plot_roc([0, 1], [[0.9, 0.1], [0.2, 0.8]])


def test_wandb_names_reach_the_integrations_lazily() -> None:
    assert wanllmdb.sklearn is wsk  # wandb.sklearn.plot_roc(...) runs unchanged
    assert wanllmdb.sklearn.plot_learning_curve is wsk.plot_learning_curve
