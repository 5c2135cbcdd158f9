"""wanllmdb.integration.xgboost: a real 3-round training (training API and scikit-learn API) on synthetic
data, logged to a real local server and read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

import wanllmdb
from tests.sdk.integrations.conftest import Landed, server_down_settings
from wanllmdb.integration.xgboost import WandbCallback
from wanllmdb.run import Run

pytestmark = pytest.mark.slow


def regression_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, 4))
    return X, 3 * X[:, 0] - X[:, 1] + rng.normal(scale=0.1, size=200)


def test_training_api_logs_each_round_config_best_score_importance_and_the_model(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    X, y = regression_data()
    train, valid = xgb.DMatrix(X[:150], label=y[:150]), xgb.DMatrix(X[150:], label=y[150:])
    run = online_run()
    booster = xgb.train(
        {"max_depth": 2, "nthread": 1, "eval_metric": "rmse"},
        train,
        num_boost_round=3,
        evals=[(train, "train"), (valid, "validation")],
        early_stopping_rounds=2,
        verbose_eval=False,
        callbacks=[WandbCallback(log_model=True)],
    )
    out = landed(run)

    assert out.column("epoch") == [0, 1, 2]
    rmse = out.column("validation-rmse")
    assert len(rmse) == 3 and len(out.column("train-rmse")) == 3 and rmse == sorted(rmse, reverse=True)
    assert out.summary["validation-rmse"] == {"min": pytest.approx(min(rmse))}  # define_metric: the best
    assert out.summary["best_iteration"] == int(booster.attr("best_iteration"))
    assert out.summary["best_score"] == pytest.approx(float(booster.attr("best_score")))
    assert out.config["learner"]["objective"]["name"] == "reg:squarederror"  # save_config(), nested

    assert out.panel("Feature Importance")["panelDefId"] == "wandb/bar/v0"
    importance = out.table("Feature Importance_table")
    assert importance["columns"] == ["Feature", "Importance"]
    gains = booster.get_score(importance_type="gain")
    assert {f: pytest.approx(v) for f, v in importance["data"]} == gains

    (model,) = out.artifacts
    assert (model.name, model.type) == (f"{run.id}_model.json:v0", "model")
    path = Path(model.download(root=str(tmp_path / "dl"))) / f"{run.id}_model.json"
    reloaded = xgb.Booster(model_file=str(path))
    np.testing.assert_allclose(reloaded.predict(valid), booster.predict(valid))


def test_sklearn_api_with_weight_importance_and_no_define_metric(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    X, y = regression_data(1)
    labels = (y > 0).astype(int)
    run = online_run()
    model = xgb.XGBClassifier(
        n_estimators=2,
        max_depth=2,
        n_jobs=1,
        eval_metric=["logloss", "auc"],
        callbacks=[WandbCallback(importance_type="weight", define_metric=False)],
    )
    model.fit(X[:150], labels[:150], eval_set=[(X[150:], labels[150:])], verbose=False)
    out = landed(run)

    auc = out.column("validation_0-auc")
    assert len(auc) == 2 and len(out.column("validation_0-logloss")) == 2
    assert out.summary["validation_0-auc"] == pytest.approx(auc[-1])  # no define_metric: the last value
    assert "best_score" not in out.summary  # no early stopping: XGBoost sets none
    weights = model.get_booster().get_score(importance_type="weight")
    assert dict(out.table("Feature Importance_table")["data"]) == weights
    assert out.config["learner"]["objective"]["name"] == "binary:logistic"
    assert out.artifacts == []


def test_a_model_logged_while_the_server_is_down_is_spooled_and_training_completes(tmp_path: Path) -> None:
    X, y = regression_data(2)
    train = xgb.DMatrix(X, label=y)
    run = wanllmdb.init(project="integrations", dir=tmp_path, settings=server_down_settings())
    booster = xgb.train(
        {"max_depth": 2, "nthread": 1},
        train,
        num_boost_round=2,
        evals=[(train, "train")],
        verbose_eval=False,
        callbacks=[WandbCallback(log_model=True)],
    )
    assert booster.num_boosted_rounds() == 2
    run_dir = Path(run.dir)  # type: ignore[arg-type]
    run.finish()
    (spooled,) = (run_dir / "artifacts").glob("*.json")
    assert f"{run.id}_model.json" in spooled.read_text()  # `wanllmdb sync` logs it with the run
