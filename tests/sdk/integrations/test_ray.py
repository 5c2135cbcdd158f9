"""wanllmdb.integration.ray: real Ray Tune experiments of 2 trials (a function trainable reporting 3
iterations) on a local Ray bound to 127.0.0.1, logging to a real local server, read back."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import ray
from ray import tune

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, online_settings
from tests.sdk.integrations.conftest import PROJECT, server_down_settings
from wanllmdb.integration.ray import (
    WandbLoggerCallback,
    WanllmdbLoggerCallback,
    _results,
    _setup,
    setup_wanllmdb,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One Ray for the module (a start costs seconds): 2 CPUs, on 127.0.0.1 only, no dashboard, no usage
    stats (Ray's only outside connection)."""
    quiet = {
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AIR_NEW_OUTPUT": "0",
    }
    saved = {name: os.environ.get(name) for name in quiet}
    os.environ.update(quiet)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        configure_logging=False,
        log_to_driver=False,
    )
    try:
        yield
    finally:
        ray.shutdown()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def api(integration_server: LocalServer) -> Iterator[Any]:
    overrides = {"base_url": integration_server.url, "api_key": admin_key(integration_server.data_dir)}
    reader = wanllmdb.Api(overrides=overrides)
    try:
        yield reader
    finally:
        reader.close()


def report_three(config: dict[str, Any]) -> None:
    """The trainable: 3 reports, a checkpoint with the last; lr above 0.15 then fails."""
    for i in range(3):
        metrics = {"loss": config["lr"] * (3 - i), "eval": {"acc": 0.25 * i}, "note": "text"}
        if i < 2:
            tune.report(metrics)
            continue
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "weights.txt").write_text(f"lr={config['lr']}\n", encoding="utf-8")
            tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(folder))
    if config["lr"] > 0.15:
        raise RuntimeError("this trial fails after its reports")


def tune_two_trials(trainable: Any, name: str, storage: Path, callbacks: list[Any]) -> Any:
    tuner = tune.Tuner(
        trainable,
        param_space={"lr": tune.grid_search([0.1, 0.2]), "layers": 2},
        tune_config=tune.TuneConfig(max_concurrent_trials=2),
        run_config=tune.RunConfig(name=name, storage_path=str(storage), callbacks=callbacks, verbose=0),
    )
    return tuner.fit()


def trial_runs(api: Any, results: Any) -> dict[float, Any]:
    """The run of each trial, by its lr (the run id is the trial id)."""
    runs = {}
    for result in results:
        runs[result.config["lr"]] = api.run(f"{PROJECT}/{result.metrics['trial_id']}")
    return runs


def test_logger_callback_logs_one_run_per_trial_grouped_by_the_experiment(
    local_ray: None, integration_server: LocalServer, api: Any, tmp_path: Path
) -> None:
    callback = WanllmdbLoggerCallback(
        project=PROJECT,
        upload_checkpoints=True,
        excludes=["note"],
        settings=online_settings(integration_server),
        dir=str(tmp_path / "runs"),
    )
    results = tune_two_trials(report_three, "ray-callback", tmp_path / "results", [callback])
    assert len(results) == 2 and len(results.errors) == 1

    runs = trial_runs(api, results)
    assert {run.group for run in runs.values()} == {"ray-callback"}
    grouped = api.runs(PROJECT, filters={"group": "ray-callback"})
    assert sorted(run.id for run in grouped) == sorted(run.id for run in runs.values())
    for lr, run in runs.items():
        trial = next(r for r in results if r.config["lr"] == lr)
        assert run.name.startswith("report_three_") and Path(trial.path).name.startswith(run.name)
        history = list(run.scan_history())
        assert [row["training_iteration"] for row in history] == [1, 2, 3]
        assert [row["_step"] for row in history] == [1, 2, 3]  # Ray's step: training_iteration
        assert [row["loss"] for row in history] == pytest.approx([lr * 3, lr * 2, lr])
        assert [row["eval/acc"] for row in history] == [0.0, 0.25, 0.5]  # nested keys flattened by "/"
        assert all("time_this_iter_s" in row for row in history)
        assert not any(k in row for row in history for k in ("note", "done", "trial_id", "config/lr"))
        config = run.config
        assert (config["lr"], config["layers"]) == (lr, 2)
        assert config["trial_id"] == run.id and "hostname" in config and "date" in config  # Ray's keys
        assert config["trial_log_path"]
        (checkpoint,) = run.logged_artifacts()
        assert checkpoint.type == "model" and checkpoint.name == f"checkpoint_{run.name}:v0"
    assert runs[0.1].state == "finished"
    assert runs[0.2].state == "failed"  # the trial raised: exit code 1


def report_with_setup(settings: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A trainable that never calls run.finish(): the trial's end finishes it; lr above 0.15 fails."""

    def train(config: dict[str, Any]) -> None:
        run = setup_wanllmdb(config, project=PROJECT, settings=settings)
        again = setup_wanllmdb(config, project=PROJECT, settings=settings)
        for i in range(3):
            run.log({"loss": config["lr"] * (3 - i)})
            tune.report({"same_run": float(again is run), "run_id": run.id})
        if config["lr"] > 0.15:
            raise RuntimeError("this trial fails after its reports")

    return train


def test_setup_wanllmdb_in_a_trainable_names_the_run_after_the_trial_and_finishes_it_with_the_trial(
    local_ray: None, integration_server: LocalServer, api: Any, tmp_path: Path
) -> None:
    trainable = report_with_setup(online_settings(integration_server))
    results = tune_two_trials(trainable, "ray-setup", tmp_path / "results", [])
    assert len(results) == 2 and len(results.errors) == 1

    runs = trial_runs(api, results)
    for lr, run in runs.items():
        result = next(r for r in results if r.config["lr"] == lr)
        assert result.metrics["same_run"] == 1.0  # a second setup_wanllmdb() returns the same run
        assert result.metrics["run_id"] == result.metrics["trial_id"] == run.id
        assert run.group == "ray-setup" and run.name and run.name.startswith("train_")
        assert [row["loss"] for row in run.scan_history()] == pytest.approx([lr * 3, lr * 2, lr])
        assert (run.config["lr"], run.config["layers"]) == (lr, 2)
    # Left open by the function: finished by the trial's end, before Ray stopped the worker.
    assert (runs[0.1].state, runs[0.2].state) == ("finished", "failed")


def test_tuning_completes_with_the_server_down_and_the_trials_are_spooled(
    local_ray: None, tmp_path: Path
) -> None:
    callback = WandbLoggerCallback(project=PROJECT, settings=server_down_settings(), dir=str(tmp_path))
    results = tune_two_trials(report_three, "ray-down", tmp_path / "results", [callback])
    assert len(results) == 2 and len(results.errors) == 1  # only the trial that raises
    spooled = {p.name.rsplit("-", 1)[-1] for p in (tmp_path / "wanllmdb").glob("run-*")}
    assert spooled == {r.metrics["trial_id"] for r in results}  # `wanllmdb sync` uploads them later


# -- without a Ray cluster ---------------------------------------------------------------------------
def test_other_ranks_get_one_disabled_run_and_rank_zero_only_false_logs_on_every_rank(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rank_one = _setup._RayContext("t1", "trial_1", "exp", world_rank=1)
    monkeypatch.setattr(_setup, "_ray_context", lambda: rank_one)
    disabled = setup_wanllmdb({"lr": 0.1})
    assert disabled.mode == "disabled" and setup_wanllmdb({"lr": 0.1}) is disabled
    disabled.finish()

    run = setup_wanllmdb({"lr": 0.1}, rank_zero_only=False, mode="offline", dir=tmp_path)
    try:
        assert (run.id, run.name, run.mode) == ("t1", "trial_1", "offline")
        assert dict(run.config) == {"lr": 0.1}
        assert setup_wanllmdb({"lr": 0.1}, rank_zero_only=False) is run  # idempotent within a trial
    finally:
        run.finish()


def test_outside_ray_it_is_a_plain_run_and_a_key_comes_from_one_place(tmp_path: Path) -> None:
    run = setup_wanllmdb(mode="offline", dir=tmp_path, trial_name="by-hand")
    try:
        assert run.name == "by-hand" and run.id != "by-hand"  # no trial: a new id
        assert setup_wanllmdb() is run
    finally:
        run.finish()
    key_file = tmp_path / "key"
    key_file.write_text("k" * 40 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Both `api_key_file` and `api_key` set"):
        setup_wanllmdb(api_key="x", api_key_file=str(key_file))
    assert _setup.api_key_from(None, str(key_file)) == "k" * 40


def test_results_split_as_rays_callback_splits_them() -> None:
    import numpy as np

    result = {
        "loss": 0.5,
        "training_iteration": 2,
        "done": False,
        "trial_id": "abc_00000",
        "date": "2026-01-01",
        "checkpoint_dir_name": None,
        "note": "text",
        "eval": {"acc": np.float32(0.75), "per_class": [1, 2]},
        "config": {"lr": 0.1, "callbacks": ["x"]},
    }
    exclude = frozenset(["done", "should_checkpoint", "config"])
    row, config = _results.split_result(result, exclude, frozenset(WanllmdbLoggerCallback.AUTO_CONFIG_KEYS))
    assert row == {"loss": 0.5, "training_iteration": 2, "eval/acc": 0.75}
    assert config == {"lr": 0.1, "trial_id": "abc_00000", "date": "2026-01-01"}
    cleaned = _results.clean_log({"frame": np.zeros((4, 4, 3), dtype=np.uint8), "obj": object()})
    assert isinstance(cleaned["frame"], wanllmdb.Image) and isinstance(cleaned["obj"], str)


def test_without_ray_or_with_an_old_ray_the_import_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.sdk.integrations.test_frameworks import fresh_import
    from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported

    monkeypatch.setattr(ray, "__version__", "2.8.1")
    with pytest.raises(
        FrameworkVersionUnsupported, match=r"supports ray>=2.9,<3, but ray 2.8.1 is installed"
    ):
        fresh_import(monkeypatch, "ray")
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(FrameworkMissing, match=r"pip install 'wanllmdb\[ray\]'"):
        fresh_import(monkeypatch, "ray")
