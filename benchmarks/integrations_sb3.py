"""Issue 20 benchmark: per-step overhead of the Stable-Baselines3 callback and per-episode overhead of
the Gymnasium monitor, each against the same training without it, measured in the same process.

    python benchmarks/integrations_sb3.py [--only sb3|gym] [--timesteps 1024] [--repeats 20]
        [--episodes 4]

sb3: PPO (MlpPolicy 64-64, the default) on CartPole-v1 for ``--timesteps`` env steps (n_steps=256, so
one logger dump and one update every 256 steps, batch 64, 4 epochs), four ways in one offline run, as
benchmarks/integrations.py compares callbacks: no callback (the baseline), no callback again (the
noise floor), an empty ``BaseCallback`` (what SB3's callback machinery costs) and ``WandbCallback()``
(its defaults: config, our KVWriter on SB3's logger, no model saving, no watch). The figure is the
median time per env step of a whole ``learn()`` over the baseline's; the time inside our code
(``_init_callback``, ``_on_step`` and the writer's ``write``) per env step is printed beside it, as
it moves far less with the load of a shared box.

gym: ``--episodes`` CartPole episodes per sample, each recorded by ``RecordVideo`` (moviepy writes an
mp4 of 64x96 frames drawn with numpy: CartPole's own renderer needs pygame), with and without
``monitor()``: the figure is the time per recorded episode over the baseline's, and the time spent in
our part (reading the file and ``log()``) per video.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "sdk"))
sys.path.insert(0, str(REPO / "benchmarks"))

from integrations import CallTimer, bench_callback, offline_run  # noqa: E402


def sb3_trainer(rows: int, rounds: int, timer: CallTimer) -> Callable[[str], float | None]:
    """``bench_callback``'s trainer: ``rounds`` is the env steps of one learn(); ``rows`` is unused."""
    import gymnasium as gym
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback

    from wanllmdb.integration.sb3 import WandbCallback

    torch.set_num_threads(2)
    model = PPO("MlpPolicy", gym.make("CartPole-v1"), n_steps=256, batch_size=64, n_epochs=4, seed=0)

    class NoOp(BaseCallback):  # type: ignore[misc]
        def _on_step(self) -> bool:
            return True

    def run(variant: str) -> None:
        callback: Any = None
        if variant == "no-op":
            callback = NoOp()
        elif variant == "wanllmdb":
            callback = WandbCallback()
            timer.wrap(callback, "_init_callback")  # once per learn(): the config
            timer.wrap(callback, "_on_step")
            timer.wrap(callback.writer, "write")
        model.learn(total_timesteps=rounds, callback=callback)

    return run


def bench_gym(episodes: int, repeats: int) -> None:
    import gymnasium as gym
    from gymnasium.wrappers import RecordVideo

    from wanllmdb.integration import gym as wgym

    class Frames(gym.Wrapper[Any, Any, Any, Any]):
        def render(self) -> np.ndarray:
            x = self.env.unwrapped.state[0]  # type: ignore[attr-defined]
            frame = np.full((64, 96, 3), 255, dtype=np.uint8)
            cart = int(np.clip(48 + x * 10, 6, 90))
            frame[44:52, cart - 6 : cart + 6] = 0
            return frame

    original = RecordVideo.stop_recording
    wgym.monitor()
    patched = RecordVideo.stop_recording
    timer = CallTimer()
    timer.wrap(wgym, "_log_video")  # stop_recording looks it up at each call

    def play(variant: str) -> float:
        RecordVideo.stop_recording = patched if variant == "with" else original  # type: ignore[method-assign]
        env = RecordVideo(
            Frames(gym.make("CartPole-v1", render_mode="rgb_array", max_episode_steps=100)),
            video_folder=str(Path(tempfile.mkdtemp(prefix="bench-gym-")) / "videos"),  # new: no warning
            episode_trigger=lambda episode: True,
        )
        env.action_space.seed(0)
        start = time.perf_counter()
        for episode in range(episodes):
            env.reset(seed=episode)
            done = False
            while not done:
                _, _, terminated, truncated, _ = env.step(env.action_space.sample())
                done = terminated or truncated
        env.close()
        return (time.perf_counter() - start) / episodes

    play("with")  # warm up: imports, moviepy's first ffmpeg start
    timer.seconds, timer.calls = 0.0, 0
    order = ["without", "without (copy)", "with"]
    per_episode: dict[str, list[float]] = {v: [] for v in order}
    for rep in range(repeats):
        for variant in order[rep % 3 :] + order[: rep % 3]:
            per_episode[variant].append(play(variant))
    RecordVideo.stop_recording = original  # type: ignore[method-assign]
    base = statistics.median(per_episode["without"])

    def over(variant: str) -> float:
        return (statistics.median(per_episode[variant]) / base - 1) * 100

    in_us = timer.seconds / max(timer.calls, 1) * 1e6
    print(
        f"gym       episode {base * 1e3:7.2f} ms (recorded, moviepy mp4)   "
        f"with monitor {over('with'):+6.2f} %   "
        f"noise floor {over('without (copy)'):+6.2f} %   in monitor {in_us:6.1f} us/video "
        f"({in_us / 1e3 / (base * 1e3) * 100:.2f} %)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["sb3", "gym"])
    parser.add_argument("--timesteps", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--episodes", type=int, default=4)
    args = parser.parse_args()

    run = offline_run()
    if args.only in (None, "sb3"):
        result = bench_callback("sb3", sb3_trainer, 0, args.timesteps, args.repeats)
        print(
            "          (a round is an env step; a logger dump and a PPO update every 256 steps: "
            f"{result['round_ms']:.3f} ms)"
        )
    if args.only in (None, "gym"):
        bench_gym(args.episodes, args.repeats)
    run.finish()


if __name__ == "__main__":
    main()
