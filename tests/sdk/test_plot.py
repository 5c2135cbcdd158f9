"""``wanllmdb.plot``: wandb's column layouts, preset ids and field mappings, and ROC/PR curves equal to
scikit-learn's (a test dependency only; the SDK computes them in numpy)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wanllmdb
from wanllmdb.errors import InvalidValue
from wanllmdb.plot.classification import pr_points, roc_points

sk = pytest.importorskip("sklearn.metrics")


def panel(chart: wanllmdb.plot.CustomChart, key: str = "k") -> dict:
    chart.set_key(key)
    return chart.spec.config_value["panel_config"]


def test_table_presets_keep_wandbs_ids_fields_and_table_key() -> None:
    table = wanllmdb.Table(columns=["x", "y", "c"], data=[[1, 2.0, "a"], [2, 3.0, "b"]])
    cases = {
        "wandb/line/v0": (
            wanllmdb.plot.line(table, "x", "y", stroke="c", title="t"),
            {"x": "x", "y": "y", "stroke": "c"},
        ),
        "wandb/scatter/v0": (wanllmdb.plot.scatter(table, "x", "y"), {"x": "x", "y": "y"}),
        "wandb/bar/v0": (wanllmdb.plot.bar(table, "c", "y"), {"label": "c", "value": "y"}),
        "wandb/histogram/v0": (wanllmdb.plot.histogram(table, "y"), {"value": "y"}),
    }  # fmt: skip
    for preset, (chart, fields) in cases.items():
        config = panel(chart, "acc")
        assert config["panelDefId"] == preset and config["fieldSettings"] == fields
        assert chart.spec.table_key == "acc_table"
        query = config["userQuery"]["queryFields"][0]["fields"][3]
        assert query["args"][0]["value"] == "acc_table"
    split = wanllmdb.plot.line(table, "x", "y", split_table=True)
    split.set_key("acc")
    assert split.spec.table_key == "Custom Chart Tables/acc_table"
    with pytest.raises(InvalidValue, match=r"fields y='nope' name no column of the table; its columns are"):
        wanllmdb.plot.line(table, "x", "nope")
    with pytest.raises(InvalidValue, match=r"must be a wanllmdb\.Table"):
        wanllmdb.plot_table("wandb/line/v0", [[1, 2]], {"x": "x"})  # type: ignore[arg-type]


def test_line_series_rows_are_linekey_lineval_step() -> None:
    chart = wanllmdb.plot.line_series(xs=[0, 1], ys=[[10, 20], [30, 40]], keys=["a", "b"], xname="epoch")
    assert chart.table.columns == ["lineKey", "lineVal", "step"]
    assert chart.table.data == [["a", 10, 0], ["a", 20, 1], ["b", 30, 0], ["b", 40, 1]]
    config = panel(chart)
    assert config["panelDefId"] == "wandb/lineseries/v0" and config["stringSettings"]["xname"] == "epoch"
    per_line = wanllmdb.plot.line_series(xs=[[0, 1], [5]], ys=[[1, 2], [3]])
    assert [r[0] for r in per_line.table.data] == ["key_0", "key_0", "key_1"]
    with pytest.raises(InvalidValue, match=r"line 1 \('key_1'\) has 2 xs and 1 ys"):
        wanllmdb.plot.line_series(xs=[0, 1], ys=[[1, 2], [3]])
    with pytest.raises(InvalidValue, match="3 keys for 2 lines"):
        wanllmdb.plot.line_series(xs=[0], ys=[[1], [2]], keys=["a", "b", "c"])


@pytest.mark.parametrize("seed", range(20))
def test_roc_and_pr_points_equal_scikit_learns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    y = rng.integers(0, 3, n)
    scores = np.round(rng.random(n), int(rng.integers(1, 4)))  # rounding makes ties, the tricky case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a draw without positives: both warn, both give NaN
        pairs = [
            (roc_points(y, scores, 1), sk.roc_curve(y, scores, pos_label=1)),
            (pr_points(y, scores, 1), sk.precision_recall_curve(y, scores, pos_label=1)),
        ]
    for ours, theirs in pairs:
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, equal_nan=True)


def test_roc_curve_table_and_panel_follow_wandb() -> None:
    y = np.array([0, 1, 1, 2, 0, 2])
    probas = np.eye(3)[[0, 1, 2, 2, 0, 1]] * 0.8 + 0.1
    chart = wanllmdb.plot.roc_curve(y, probas, labels=["cat", "dog", "owl"])
    assert chart.table.columns == ["class", "fpr", "tpr"]
    assert {row[0] for row in chart.table.data} == {"cat", "dog", "owl"}
    fpr, tpr, _ = sk.roc_curve(y, probas[:, 1], pos_label=1)
    assert [r[1:] for r in chart.table.data if r[0] == "dog"] == [
        [round(f, 3), round(t, 3)] for f, t in zip(fpr, tpr, strict=True)
    ]
    config = panel(chart)
    assert config["panelDefId"] == "wandb/area-under-curve/v0"
    assert config["fieldSettings"] == {"x": "fpr", "y": "tpr", "class": "class"}
    only = wanllmdb.plot.roc_curve(y, probas, classes_to_plot=[2])
    assert {row[0] for row in only.table.data} == {2}
    with pytest.raises(InvalidValue, match=r"y_probas must be \(num_samples, num_classes\) for 6 labels"):
        wanllmdb.plot.roc_curve(y, probas[:4])


def test_pr_curve_samples_monotone_precision_at_wandbs_recall_grid() -> None:
    y = np.array([0, 1, 1, 0, 1, 0, 1, 1])
    probas = np.column_stack([1 - np.linspace(0.1, 0.9, 8), np.linspace(0.1, 0.9, 8)])
    chart = wanllmdb.plot.pr_curve(y, probas, interp_size=5)
    assert chart.table.columns == ["class", "precision", "recall"]
    rows = [r for r in chart.table.data if r[0] == 1]
    assert [r[2] for r in rows] == [1.0, 0.75, 0.5, 0.25, 0.0]
    precisions = [r[1] for r in rows]
    assert precisions == sorted(precisions)  # non-decreasing as recall falls
    assert panel(chart)["fieldSettings"] == {"x": "recall", "y": "precision", "class": "class"}


def test_confusion_matrix_counts_and_layout() -> None:
    chart = wanllmdb.plot.confusion_matrix(
        y_true=[0, 1, 1, 2], preds=[0, 1, 2, 2], class_names=["a", "b", "c"]
    )
    assert chart.table.columns == ["Actual", "Predicted", "nPredictions"]
    counts = {(r[0], r[1]): r[2] for r in chart.table.data}
    assert (
        counts[("b", "c")] == 1 and counts[("c", "c")] == 1 and counts[("a", "b")] == 0 and len(counts) == 9
    )
    assert panel(chart)["panelDefId"] == "wandb/confusion_matrix/v1"
    from_probs = wanllmdb.plot.confusion_matrix(probs=np.eye(3)[[0, 1, 2]], y_true=[0, 1, 1])
    assert {(r[0], r[1]): r[2] for r in from_probs.table.data}[("Class_2", "Class_3")] == 1
    with pytest.raises(InvalidValue, match="3 predictions but 2 labels"):
        wanllmdb.plot.confusion_matrix(y_true=[0, 1], preds=[0, 1, 1])
    with pytest.raises(InvalidValue, match="probs or preds, not both"):
        wanllmdb.plot.confusion_matrix(probs=[[1, 0]], preds=[0], y_true=[0])
    with pytest.raises(InvalidValue, match=r"labels \[5\] are not indices of the 2 class_names"):
        wanllmdb.plot.confusion_matrix(y_true=[0, 5], preds=[0, 1], class_names=["a", "b"])
