"""wanllmdb.integration.keras: real 2-3 epoch fits of a tiny Dense model on synthetic data with Keras 3 on
JAX (no TensorFlow), logged to a real local server and read back: history, summary, the checkpoint
artifacts and their aliases, the evaluation tables; and a fit with the server down."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Keras reads its backend once, at its first import; no other test module imports keras, and without
# TensorFlow the default backend fails to import.
os.environ["KERAS_BACKEND"] = "jax"

import keras
import numpy as np
import pyarrow.parquet as pq

import wanllmdb
from tests.sdk.conftest import REPO
from tests.sdk.integrations.conftest import PROJECT, Landed, server_down_settings
from tests.sdk.integrations.test_frameworks import fresh_import
from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported, UsageError
from wanllmdb.integration.keras import (
    KerasBackendMissing,
    WandbEvalCallback,
    WandbMetricsLogger,
    WandbModelCheckpoint,
)
from wanllmdb.run import Run

pytestmark = pytest.mark.slow

BATCH, ROWS = 16, 64  # 4 batches an epoch


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(ROWS, 4)).astype("float32")
    return X, (X[:, 0] - X[:, 1] > 0).astype("float32")


def tiny_model(learning_rate: float | Any = 0.05) -> Any:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


def fit(model: Any, callbacks: list[Any], epochs: int = 3) -> dict[str, list[float]]:
    X, y = data()
    history = model.fit(
        X,
        y,
        epochs=epochs,
        batch_size=BATCH,
        validation_data=(X, y),
        shuffle=False,
        verbose=0,
        callbacks=callbacks,
    )
    return dict(history.history)


class Scores(keras.callbacks.Callback):  # type: ignore[misc]
    """Puts ``score`` in each epoch's logs (before the checkpoint sees them): a known series of bests."""

    def __init__(self, scores: list[float]) -> None:
        super().__init__()
        self.scores = scores

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        assert logs is not None
        logs["score"] = self.scores[epoch]


class Predictions(WandbEvalCallback):
    """wandb's documented pattern: ground truth once, one prediction row per data-table row."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        super().__init__(["idx", "label"], ["epoch", "idx", "label", "pred"])
        self.X, self.y = X, y

    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        for idx, label in enumerate(self.y):
            self.data_table.add_data(idx, float(label))

    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        preds = self.model.predict(self.X, verbose=0)[:, 0]
        for idx in self.data_table_ref.get_index():
            self.pred_table.add_data(epoch, *self.data_table_ref.data[idx], float(preds[idx]))


def download(artifact: Any, tmp_path: Path) -> Path:
    return Path(artifact.download(root=str(tmp_path / f"dl-{artifact.name.replace(':', '-')}")))


def test_metrics_logger_logs_each_epoch_under_wandbs_keys(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    run = online_run()
    logger = WandbMetricsLogger()
    assert logger.async_safe  # nothing per batch: Keras keeps its batch hooks off the training loop
    history = fit(tiny_model(), [logger])
    out = landed(run)

    assert out.column("epoch/epoch") == [0, 1, 2]
    for metric in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert out.column(f"epoch/{metric}") == pytest.approx(history[metric])
    assert out.column("epoch/learning_rate") == pytest.approx([0.05] * 3)
    assert out.summary["epoch/val_loss"] == pytest.approx(history["val_loss"][-1])
    assert out.summary["_step_metrics"] == {"epoch/*": "epoch/epoch"}
    assert not [key for row in out.history for key in row if key.startswith("batch/")]


def test_batch_logging_every_n_batches_with_a_schedules_learning_rate(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    run = online_run()
    history = fit(tiny_model(schedule), [WandbMetricsLogger(log_freq=2)], epochs=2)
    assert WandbMetricsLogger(log_freq="batch").log_freq == 1
    out = landed(run)

    assert out.column("batch/batch_step") == [0, 2, 4, 6]  # batches 0 and 2 of each 4-batch epoch
    batch_lr = [0.1 * 0.5 ** (step / 2) for step in (1, 3, 5, 7)]  # after the 1st, 3rd, ... update
    assert out.column("batch/learning_rate") == pytest.approx(batch_lr, rel=1e-5)
    assert len(out.column("batch/loss")) == 4 and len(out.column("batch/accuracy")) == 4
    assert out.column("epoch/loss") == pytest.approx(history["loss"])  # epochs are logged too
    assert out.column("epoch/learning_rate") == pytest.approx([0.1 * 0.5**2, 0.1 * 0.5**4], rel=1e-5)
    assert out.summary["_step_metrics"] == {"batch/*": "batch/batch_step"}  # wandb: batch/* only


def test_each_epochs_checkpoint_is_a_model_version_with_latest_and_epoch_aliases(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    run = online_run()
    model = tiny_model()
    # One path, overwritten each epoch: each version must still hold its own epoch's model.
    history = fit(model, [WandbModelCheckpoint(tmp_path / "ckpt" / "model.keras", monitor="loss")])
    out = landed(run)

    name = f"run_{run.id}_model"
    assert sorted(a.version for a in out.artifacts) == ["v0", "v1", "v2"]
    assert {a.type for a in out.artifacts} == {"model"}
    for epoch in range(3):
        version = out.artifact(f"{name}:epoch_{epoch}")
        assert version.version == f"v{epoch}" and "best" not in version.aliases
    latest = out.artifact(f"{name}:latest")
    assert latest.version == "v2"
    reloaded = keras.saving.load_model(download(latest, tmp_path) / "model.keras")
    X, _ = data()
    np.testing.assert_allclose(reloaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)
    first = keras.saving.load_model(download(out.artifact(f"{name}:epoch_0"), tmp_path) / "model.keras")
    assert not np.allclose(first.predict(X, verbose=0), model.predict(X, verbose=0))
    assert len(history["loss"]) == 3


def test_save_best_only_logs_only_improvements_and_moves_best(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    run = online_run()
    checkpoint = WandbModelCheckpoint(
        str(tmp_path / "w-{epoch:02d}.weights.h5"),
        monitor="score",
        mode="max",
        save_best_only=True,
        save_weights_only=True,
    )
    fit(tiny_model(), [Scores([1.0, 0.5, 2.0]), checkpoint])  # epoch 1 is no improvement
    out = landed(run)

    name = f"run_{run.id}_model"
    assert sorted(a.version for a in out.artifacts) == ["v0", "v1"]
    assert out.artifact(f"{name}:epoch_0").version == "v0"
    best = out.artifact(f"{name}:best")
    assert best.version == "v1" and set(best.aliases) >= {"best", "epoch_2", "latest"}
    assert [p.name for p in download(best, tmp_path).iterdir()] == ["w-03.weights.h5"]  # Keras' 1-based name


def test_an_integer_save_freq_logs_checkpoints_with_epoch_and_batch_aliases(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    run = online_run()
    fit(tiny_model(), [WandbModelCheckpoint(tmp_path / "m.keras", save_freq=3)], epochs=2)  # 8 batches
    out = landed(run)

    name = f"run_{run.id}_model"
    assert sorted(a.version for a in out.artifacts) == ["v0", "v1"]
    assert out.artifact(f"{name}:epoch_0_batch_2").version == "v0"  # the 3rd batch
    assert out.artifact(f"{name}:epoch_1_batch_1").version == "v1"  # the 6th
    assert out.artifact(f"{name}:latest").version == "v1"


def test_eval_callback_logs_the_data_table_once_and_a_prediction_table_each_epoch(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    X, y = data()
    run = online_run()
    model = tiny_model()
    fit(model, [Predictions(X[:5], y[:5])], epochs=2)
    out = landed(run)

    assert sorted(a.name for a in out.artifacts) == [
        "run_" + run.id + "_pred:v0",
        f"run_{run.id}_pred:v1",
        "val:v0",
    ]
    dataset = out.artifact("val:v0")
    assert dataset.type == "dataset"
    rows = pq.read_table(download(dataset, tmp_path) / "val_data.table.parquet").to_pylist()
    assert rows == [{"idx": i, "label": float(y[i])} for i in range(5)]

    predictions = out.artifact(f"run_{run.id}_pred:latest")
    assert (predictions.version, predictions.type) == ("v1", "evaluation")
    table = pq.read_table(download(predictions, tmp_path) / "eval_data.table.parquet").to_pylist()
    assert [(r["epoch"], r["idx"], r["label"]) for r in table] == [(1, i, float(y[i])) for i in range(5)]
    np.testing.assert_allclose([r["pred"] for r in table], model.predict(X[:5], verbose=0)[:, 0], rtol=1e-5)
    first = pq.read_table(
        download(out.artifact(f"run_{run.id}_pred:v0"), tmp_path) / "eval_data.table.parquet"
    )
    assert set(first.column("epoch").to_pylist()) == {0}


def test_with_the_server_down_the_fit_completes_and_every_artifact_is_spooled(tmp_path: Path) -> None:
    X, y = data()
    run = wanllmdb.init(project=PROJECT, dir=tmp_path, settings=server_down_settings())
    callbacks = [
        WandbMetricsLogger(log_freq=2),
        WandbModelCheckpoint(tmp_path / "m.keras"),
        Predictions(X[:3], y[:3]),
    ]
    history = fit(tiny_model(), callbacks, epochs=2)
    assert len(history["loss"]) == 2
    assert run.summary["epoch/epoch"] == 1 and run.summary["batch/batch_step"] == 6
    assert run.summary["batch/learning_rate"] == pytest.approx(0.05)  # read at the epoch's start
    run_dir = Path(run.dir)  # type: ignore[arg-type]
    run.finish()
    spooled = " ".join(p.read_text() for p in (run_dir / "artifacts").glob("*.json"))
    # `wanllmdb sync` logs them with the run.
    assert spooled.count(f"run_{run.id}_model") == 2 and spooled.count(f"run_{run.id}_pred") == 2
    assert '"val"' in spooled


def test_each_callback_needs_an_active_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wanllmdb, "run", None)
    with pytest.raises(UsageError, match="init"):
        WandbMetricsLogger()
    with pytest.raises(UsageError, match="init"):
        Predictions(np.zeros((1, 4)), np.zeros(1))


def test_without_keras_the_integration_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keras", None)
    with pytest.raises(FrameworkMissing) as caught:
        fresh_import(monkeypatch, "keras")
    assert str(caught.value) == (
        "wanllmdb.integration.keras needs keras, which is not installed: pip install 'wanllmdb[keras]'"
    )
    assert not isinstance(caught.value, KerasBackendMissing) and isinstance(caught.value, ImportError)


def test_an_unsupported_keras_names_the_supported_range(monkeypatch: pytest.MonkeyPatch) -> None:
    assert keras.__version__.startswith("3.")  # the installed one is supported
    monkeypatch.setattr(sys.modules["keras"], "__version__", "2.15.0")
    with pytest.raises(FrameworkVersionUnsupported) as caught:
        fresh_import(monkeypatch, "keras")
    assert str(caught.value) == (
        "wanllmdb.integration.keras supports keras>=3.0,<4, but keras 2.15.0 is installed: "
        "pip install 'keras>=3.0,<4' (or pip install 'wanllmdb[keras]')"
    )


def test_keras_without_its_backend_says_to_set_keras_backend(tmp_path: Path) -> None:
    # A fresh process: Keras' backend is read once. TensorFlow is made unimportable there even where it
    # is installed, as it is not in CI.
    code = (
        "import sys; sys.modules['tensorflow'] = None\n"
        "try:\n    import wanllmdb.integration.keras\n"
        "except ImportError as exc:\n    print(type(exc).__name__, exc)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["KERAS_HOME"] = str(tmp_path)  # no ~/.keras/keras.json: Keras' default backend, TensorFlow
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
        timeout=60,
    )
    assert out.stdout.startswith("KerasBackendMissing wanllmdb.integration.keras: keras could not import its")
    assert "backend tensorflow" in out.stdout and "KERAS_BACKEND=jax (or torch)" in out.stdout
