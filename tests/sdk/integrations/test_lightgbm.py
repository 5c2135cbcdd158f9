"""wanllmdb.integration.lightgbm: real 3-round trainings (train and cv) on synthetic data, logged to a real
local server and read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

from tests.sdk.conftest import OfflineRun
from tests.sdk.integrations.conftest import Landed
from wanllmdb.errors import UsageError
from wanllmdb.integration.lightgbm import log_summary, wandb_callback
from wanllmdb.run import Run

PARAMS = {"objective": "regression", "num_leaves": 4, "num_threads": 1, "verbose": -1, "seed": 0}


def datasets() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    return X, 3 * X[:, 0] - X[:, 1] + rng.normal(scale=0.1, size=200)


@pytest.mark.slow
def test_train_logs_rounds_params_best_metric_summary_importance_and_best_model(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    X, y = datasets()
    train = lgb.Dataset(X[:150], y[:150], feature_name=["a", "b", "c", "d"])
    valid = lgb.Dataset(X[150:], y[150:], reference=train)
    run = online_run()
    booster = lgb.train(
        PARAMS,
        train,
        num_boost_round=3,
        valid_sets=[train, valid],
        valid_names=["training", "validation"],
        callbacks=[wandb_callback(), lgb.early_stopping(2, verbose=False)],
    )
    log_summary(booster, save_model_checkpoint=True)
    out = landed(run)

    assert out.column("iteration") == [0, 1, 2]
    l2 = out.column("validation_l2")
    assert len(l2) == 3 and len(out.column("training_l2")) == 3
    assert out.summary["validation_l2"] == {"min": pytest.approx(min(l2))}  # define_metric
    assert out.config["objective"] == "regression" and out.config["num_leaves"] == 4  # log_params
    assert out.summary["best_iteration"] == booster.best_iteration == 3
    assert out.summary["best_score"]["validation"]["l2"] == pytest.approx(min(l2))

    assert out.panel("Feature Importance")["panelDefId"] == "wandb/bar/v0"
    importance = out.table("Feature Importance_table")
    assert importance["columns"] == ["Feature", "Importance"]
    assert dict(importance["data"]) == dict(zip("abcd", booster.feature_importance().tolist(), strict=True))

    (model,) = out.artifacts
    assert (model.name, model.type) == (f"model_{run.id}:v0", "model")
    assert out.artifact(f"model_{run.id}:best").version == "v0"
    path = Path(model.download(root=str(tmp_path / "dl"))) / "model_ckpt_3.txt"
    np.testing.assert_allclose(lgb.Booster(model_file=str(path)).predict(X[150:]), booster.predict(X[150:]))


@pytest.mark.slow
def test_cv_logs_mean_and_stdv_and_no_params_when_asked(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    X, y = datasets()
    run = online_run()
    lgb.cv(
        PARAMS,
        lgb.Dataset(X, y),
        num_boost_round=2,
        nfold=2,
        stratified=False,
        callbacks=[wandb_callback(log_params=False)],
    )
    out = landed(run)
    means = out.column("valid_l2-mean")
    assert len(means) == 2 and len(out.column("valid_l2-stdv")) == 2
    assert out.summary["valid_l2-mean"] == {"min": pytest.approx(min(means))}
    assert isinstance(out.summary["valid_l2-stdv"], float)  # the spread keeps its last value
    assert "objective" not in out.config


def test_log_summary_refuses_what_is_not_a_booster(offline_run: OfflineRun) -> None:
    offline_run()
    with pytest.raises(UsageError, match=r"model should be a lightgbm\.Booster, got LGBMRegressor"):
        log_summary(lgb.LGBMRegressor())
