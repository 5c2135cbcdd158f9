"""wanllmdb.integration.sb3: PPO on CartPole for a few hundred steps with WandbCallback, logged to a real
local server and read back: SB3's rollout/ and train/ metrics through our KVWriter (no TensorBoard),
global_step, the config, model.zip as a model artifact, and watch of the policy."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.logger import Figure, HParam, Image, Logger, Video

import wanllmdb
from tests.sdk.integrations.conftest import Landed, server_down_settings
from tests.sdk.integrations.test_frameworks import fresh_import
from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported, UsageError
from wanllmdb.integration.sb3 import RunWriter, WandbCallback
from wanllmdb.run import Run

pytestmark = pytest.mark.slow

TIMESTEPS = 256  # 4 rollouts of 64 steps


def ppo(**kwargs: Any) -> PPO:
    torch.set_num_threads(1)
    env = gym.make("CartPole-v1", max_episode_steps=20)  # short episodes: ep_rew_mean from the 1st rollout
    return PPO(
        "MlpPolicy",
        env,
        n_steps=64,
        batch_size=32,
        n_epochs=1,
        policy_kwargs={"net_arch": [16]},
        seed=0,
        device="cpu",
        **kwargs,
    )


def test_ppo_metrics_config_and_model_land_without_tensorboard(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed], tmp_path: Path
) -> None:
    run = online_run(config={"gamma": 0.5})  # a key already set keeps its value (setdefaults)
    model = ppo()
    model.learn(
        total_timesteps=TIMESTEPS,
        callback=WandbCallback(model_save_path=str(tmp_path / "models"), model_save_freq=128),
    )
    out = landed(run)

    # One row per logger.dump(), at the end of each rollout, with SB3's TensorBoard step.
    assert out.column("global_step") == [64, 128, 192, 256]
    assert len(out.column("rollout/ep_rew_mean")) == 4 and len(out.column("time/fps")) == 4
    # train/ keys of an update are dumped with the next rollout's (SB3's order): 3 of the 4 updates.
    assert len(out.column("train/value_loss")) == 3 and len(out.column("train/approx_kl")) == 3
    assert "train/n_updates" not in out.summary  # SB3 keeps it out of TensorBoard
    assert out.summary["global_step"] == 256
    step_metrics = out.summary["_step_metrics"]  # SB3's key families only, plotted against global_step
    assert {k: step_metrics[k] for k in ("rollout/*", "train/*", "time/*")} == dict.fromkeys(
        ("rollout/*", "train/*", "time/*"), "global_step"
    )

    assert out.config["algo"] == "PPO" and out.config["n_steps"] == 64 and out.config["batch_size"] == 32
    assert out.config["gamma"] == 0.5  # the user's value, not the model's 0.99
    assert out.config["policy_class"].startswith("<class ")  # anything else as its str (wandb's rule)

    # model.zip at calls 128 and 256 (the model_save_freq) and at the end of training.
    assert (tmp_path / "models" / "model.zip").is_file()
    versions = sorted(out.artifacts, key=lambda a: a.version)
    assert [(a.name, a.type) for a in versions] == [
        (f"model-{run.id}:v{i}", "model") for i in range(len(versions))
    ]
    assert len(versions) == 3 and versions[-1].metadata["num_timesteps"] == TIMESTEPS
    folder = Path(out.artifact(f"model-{run.id}:latest").download(root=str(tmp_path / "dl")))
    reloaded = PPO.load(folder / "model.zip", device="cpu")
    obs, _ = gym.make("CartPole-v1").reset(seed=1)
    assert reloaded.predict(obs, deterministic=True)[0] == model.predict(obs, deterministic=True)[0]


def test_gradient_save_freq_watches_the_policy_and_learn_twice_keeps_one_writer(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    run = online_run()
    model = ppo()
    model.set_logger(Logger(folder=None, output_formats=[]))  # kept across learn() calls
    callback = WandbCallback(gradient_save_freq=32, log="all")
    model.learn(total_timesteps=128, callback=callback)
    model.learn(total_timesteps=128, callback=callback, reset_num_timesteps=False)  # watched once, no raise
    writers = [out for out in model.logger.output_formats if isinstance(out, RunWriter)]
    out = landed(run)

    assert len(writers) == 1  # one writer in a logger kept across learn() calls: no row twice
    assert out.column("global_step") == [64, 128, 192, 256]
    watched = [k for k in out.summary if k.startswith("parameters/")]
    assert "parameters/mlp_extractor.policy_net.0.weight" in watched
    # SB3 calls forward() only under no_grad (rollouts) and trains through evaluate_actions(): the
    # gradients of those updates arrive all the same.
    assert "gradients/mlp_extractor.policy_net.0.weight" in out.summary


def test_the_writer_logs_what_tensorboard_would_write(
    online_run: Callable[..., Run], landed: Callable[[Run], Landed]
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = online_run()
    figure = plt.figure()
    plt.plot([0, 1])
    values: dict[str, Any] = {
        "custom/score": np.float32(0.5),
        "custom/note": "hi",
        "custom/weights": torch.arange(10.0),
        "custom/video": Video(torch.zeros(1, 4, 3, 8, 8, dtype=torch.uint8), fps=4),
        "custom/figure": Figure(figure, close=True),
        "custom/frame": Image(np.zeros((8, 6, 3), dtype=np.uint8), "HWC"),
        "custom/chw": Image(torch.zeros(3, 8, 6), "CHW"),
        "custom/hidden": 1.0,
        "custom/hparams": HParam({"lr": 0.1}, {"custom/score": 0}),
    }
    everywhere: tuple[str, ...] = ("",)  # SB3's "no exclusion"
    excluded = dict.fromkeys(values, everywhere) | {"custom/hidden": ("tensorboard",)}
    RunWriter().write(values, excluded, step=7)
    out = landed(run)

    (row,) = out.history
    assert row["global_step"] == 7 and row["custom/score"] == 0.5 and row["custom/note"] == "hi"
    assert row["custom/weights"]["_type"] == "histogram"
    assert row["custom/video"]["_type"] == "video-file"
    kinds = {k: row[k]["_type"] for k in ("custom/figure", "custom/frame", "custom/chw")}
    assert kinds == dict.fromkeys(kinds, "image-file")
    assert (row["custom/chw"]["height"], row["custom/chw"]["width"]) == (8, 6)
    assert "custom/hidden" not in row and "custom/hparams" not in row  # TensorBoard's exclusions
    assert not plt.fignum_exists(figure.number)  # Figure(close=True): closed once rendered


def test_the_callback_needs_a_run_and_a_save_path_for_a_save_frequency(
    online_run: Callable[..., Run],
) -> None:
    with pytest.raises(UsageError, match="init"):
        WandbCallback()
    run = online_run()
    with pytest.raises(UsageError, match="model_save_path"):
        WandbCallback(model_save_freq=10)
    run.finish()


def test_training_completes_with_the_server_down_and_the_model_is_spooled(tmp_path: Path) -> None:
    run = wanllmdb.init(project="integrations", dir=tmp_path / "run", settings=server_down_settings())
    model = ppo()
    model.learn(total_timesteps=128, callback=WandbCallback(model_save_path=str(tmp_path / "models")))
    assert model.num_timesteps == 128
    run_dir = Path(run.dir)  # type: ignore[arg-type]
    run.finish()
    (spooled,) = (run_dir / "artifacts").glob("*.json")
    assert f"model-{run.id}" in spooled.read_text()  # `wanllmdb sync` logs it with the run


def test_without_stable_baselines3_the_integration_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "stable_baselines3", None)
    with pytest.raises(FrameworkMissing) as caught:
        fresh_import(monkeypatch, "sb3")
    assert str(caught.value) == (
        "wanllmdb.integration.sb3 needs stable-baselines3, which is not installed: "
        "pip install 'wanllmdb[sb3]'"
    )


def test_stable_baselines3_1_names_the_supported_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stable_baselines3, "__version__", "1.8.0")  # gym, not gymnasium
    with pytest.raises(
        FrameworkVersionUnsupported,
        match=r"supports stable-baselines3>=2\.0,<3, but stable-baselines3 1\.8\.0",
    ):
        fresh_import(monkeypatch, "sb3")
