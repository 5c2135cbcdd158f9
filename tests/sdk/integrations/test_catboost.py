"""wanllmdb.integration.catboost: real 3- and 5-round trainings on synthetic data, logged to a real local
server and read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import catboost
import numpy as np
import pytest

from tests.sdk.conftest import OfflineRun
from tests.sdk.integrations.conftest import Landed
from wanllmdb.errors import UsageError
from wanllmdb.integration.catboost import WandbCallback, log_summary
from wanllmdb.run import Run


def datasets() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    return X, 3 * X[:, 0] - X[:, 1] + rng.normal(scale=0.1, size=200)


def regressor(tmp_path: Path, **params: object) -> object:
    # train_dir in tmp_path: CatBoost writes catboost_info/ into the working directory otherwise.
    return catboost.CatBoostRegressor(
        thread_count=1, verbose=False, random_seed=0, train_dir=str(tmp_path / "catboost_info"), **params
    )


@pytest.mark.slow
def test_fit_logs_rounds_and_log_summary_logs_params_best_model_and_importance(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    X, y = datasets()
    run = online_run()
    model = regressor(tmp_path, iterations=3, depth=2)
    model.fit(X[:150], y[:150], eval_set=(X[150:], y[150:]), callbacks=[WandbCallback()])  # type: ignore[attr-defined]
    log_summary(model, save_model_checkpoint=True)
    out = landed(run)

    assert out.column("iteration@metric-period-1") == [1, 2, 3]  # CatBoost counts rounds done
    validation = out.column("validation-RMSE")
    assert len(validation) == 3 and len(out.column("learn-RMSE")) == 3
    assert out.config["loss_function"] == "RMSE" and out.config["iterations"] == 3  # get_all_params()
    assert out.summary["best_iteration"] == model.get_best_iteration()  # type: ignore[attr-defined]
    assert out.summary["best_score"]["validation"]["RMSE"] == pytest.approx(min(validation))

    importance = out.table("Feature Importance_table")
    assert out.panel("Feature Importance")["panelDefId"] == "wandb/bar/v0"
    values = [v for _, v in importance["data"]]
    assert values == sorted(values, reverse=True) and {f for f, _ in importance["data"]} == {
        "0",
        "1",
        "2",
        "3",
    }

    (artifact,) = out.artifacts
    assert artifact.name == f"model_{run.id}:v0"
    assert out.artifact(f"model_{run.id}:best").version == "v0"  # use_best_model: alias best
    path = Path(artifact.download(root=str(tmp_path / "dl"))) / "model"
    reloaded = catboost.CatBoostRegressor().load_model(str(path))
    np.testing.assert_allclose(reloaded.predict(X[150:]), model.predict(X[150:]))  # type: ignore[attr-defined]


@pytest.mark.slow
def test_metric_period_logs_only_the_rounds_catboost_evaluates(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    X, y = datasets()
    run = online_run()
    model = regressor(tmp_path, iterations=5, depth=2, metric_period=2)
    model.fit(X, y, callbacks=[WandbCallback(metric_period=2)])  # type: ignore[attr-defined]
    out = landed(run)
    assert out.column("iteration@metric-period-2") == [1, 3, 5]
    assert len(out.column("learn-RMSE")) == 3


def test_log_summary_refuses_what_is_not_a_catboost_model(offline_run: OfflineRun) -> None:
    offline_run()
    with pytest.raises(UsageError, match="CatBoostClassifier or CatBoostRegressor, got dict"):
        log_summary({})
