"""wanllmdb.integration.gym: CartPole episodes recorded by Gymnasium's RecordVideo (moviepy writes the
mp4s) with monitor(), logged to a real local server and read back as videos.
CartPole draws its ``rgb_array`` frames with pygame (the dev extra's ``gymnasium[classic-control]``).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.wrappers import RecordVideo

import wanllmdb
from tests.sdk.integrations.conftest import Landed, server_down_settings
from tests.sdk.integrations.test_frameworks import fresh_import
from wanllmdb.errors import FrameworkMissing, FrameworkVersionUnsupported
from wanllmdb.integration import gym as wgym
from wanllmdb.run import Run

pytestmark = pytest.mark.slow


@pytest.fixture
def restored_record_video(monkeypatch: pytest.MonkeyPatch) -> None:
    """monitor() patches RecordVideo for the whole process: put the original back after each test."""
    monkeypatch.setattr(RecordVideo, "stop_recording", RecordVideo.stop_recording)


def play(folder: Path, episodes: int, *, steps: int = 12) -> list[Path]:
    """``episodes`` short CartPole episodes (at most ``steps`` steps each), each recorded; the mp4s."""
    env = RecordVideo(
        gym.make("CartPole-v1", render_mode="rgb_array", max_episode_steps=steps),
        video_folder=str(folder),
        episode_trigger=lambda episode: True,
        fps=10,
    )
    env.action_space.seed(0)
    for episode in range(episodes):
        env.reset(seed=episode)
        done = False
        while not done:
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            done = terminated or truncated
    env.close()  # stops the last recording: its video is saved (and logged) here
    return sorted(folder.glob("*.mp4"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def test_each_recorded_episode_lands_in_history_as_a_video(
    online_run: Callable[..., Run],
    landed: Callable[[Run], Landed],
    tmp_path: Path,
    restored_record_video: None,
) -> None:
    run = online_run()
    wgym.monitor()
    videos = play(tmp_path / "videos", episodes=2)
    out = landed(run)

    assert [p.name for p in videos] == ["rl-video-episode-0.mp4", "rl-video-episode-1.mp4"]
    logged = out.column("videos")  # wandb's key for gymnasium's file names
    assert [d["_type"] for d in logged] == ["video-file", "video-file"]
    assert [d["format"] for d in logged] == ["mp4", "mp4"]
    assert [row["_step"] for row in out.history if "videos" in row] == [0, 1]
    for descriptor, video in zip(logged, videos, strict=True):
        data = out.api_run.file(descriptor["path"]).download()
        assert data == video.read_bytes()  # gymnasium's own encoding, not a second one
        assert descriptor["sha256"] == hashlib.sha256(data).hexdigest()


def test_init_monitor_gym_true_monitors(
    online_run: Callable[..., Run],
    landed: Callable[[Run], Landed],
    tmp_path: Path,
    restored_record_video: None,
) -> None:
    run = online_run(monitor_gym=True)  # wandb's spelling of monitor()
    play(tmp_path / "videos", episodes=1)
    assert [d["format"] for d in landed(run).column("videos")] == ["mp4"]


def test_monitor_twice_logs_each_video_once_and_without_a_run_nothing(
    online_run: Callable[..., Run],
    landed: Callable[[Run], Landed],
    tmp_path: Path,
    restored_record_video: None,
) -> None:
    wgym.monitor()
    wgym.monitor()  # wandb's patch would wrap itself here
    assert len(play(tmp_path / "before", episodes=1)) == 1  # no run yet: saved, not logged

    run = online_run()
    play(tmp_path / "during", episodes=1)
    out = landed(run)
    assert len(out.column("videos")) == 1


def test_wandbs_key_rule() -> None:
    assert wgym.video_key("/runs/x/rl-video-episode-3.mp4") == "videos"
    assert wgym.video_key("/tmp/openaigym.video.0.12345.video000000.mp4") == "video.0"


def test_videos_of_a_run_whose_server_is_down_are_spooled_and_the_episodes_complete(
    tmp_path: Path, restored_record_video: None
) -> None:
    run = wanllmdb.init(project="integrations", dir=tmp_path / "run", settings=server_down_settings())
    wgym.monitor()
    assert len(play(tmp_path / "videos", episodes=2)) == 2
    run_dir = Path(run.dir)  # type: ignore[arg-type]
    run.finish()
    spooled = sorted((run_dir / "media" / "video").glob("videos_*.mp4"))
    assert len(spooled) == 2  # `wanllmdb sync` uploads them with the run


def test_without_gymnasium_the_integration_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gymnasium", None)
    with pytest.raises(FrameworkMissing) as caught:
        fresh_import(monkeypatch, "gym")
    assert str(caught.value) == (
        "wanllmdb.integration.gym needs gymnasium, which is not installed: pip install 'wanllmdb[gym]'"
    )


def test_gym_before_gymnasium_1_names_the_supported_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gym, "__version__", "0.29.1")  # RecordVideo had no stop_recording() there
    with pytest.raises(
        FrameworkVersionUnsupported, match=r"supports gymnasium>=1\.0,<2, but gymnasium 0\.29\.1"
    ):
        fresh_import(monkeypatch, "gym")
