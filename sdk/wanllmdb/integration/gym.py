"""Gymnasium: wandb's ``monitor()``, which logs every episode video that Gymnasium's ``RecordVideo``
wrapper saves to the active run, as a ``wanllmdb.Video``.

``monitor()`` patches ``gymnasium.wrappers.RecordVideo.stop_recording`` (Gymnasium >= 1.0), the method
that ends a recording: at the next ``reset()`` after an episode (``video_length=0``), after
``video_length`` frames, or at ``close()``. Every ``RecordVideo`` of the process is covered, made
before or after the call. Once Gymnasium has written ``<video_folder>/<name>.mp4``, the file is logged
with one ``log()`` call under wandb's key: ``videos``, or ``video.<n>`` when the path has such a part
(wandb's rule, from the file names of gym's old monitor). A recording without frames writes no file
and logs nothing. Without an active run nothing is logged, as in wandb. Calling ``monitor()`` again is
a no-op (wandb's patch would wrap itself and recurse).

Encoding: Gymnasium encodes the mp4 itself (moviepy, on the thread that steps the environment), with
or without ``monitor()``. The Video is made from that file, whose bytes are read and kept as they
are, so logging adds no second encoding, only the read of the file (tens of KB for a short episode);
hashing and upload run on the SDK's thread. A file that cannot be read or logged is a warning,
never an exception out of the environment's ``reset()`` or ``step()``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

from wanllmdb.integration._framework import Supported, require_framework

gymnasium = require_framework("gymnasium", integration="gym", extra="gym", supported=Supported((1, 0), (2,)))

from gymnasium.wrappers import RecordVideo  # noqa: E402

import wanllmdb  # noqa: E402
from wanllmdb.data_types.video import Video  # noqa: E402
from wanllmdb.errors import WanllmdbError  # noqa: E402
from wanllmdb.termlog import termwarn  # noqa: E402

__all__ = ["monitor", "video_key"]

# wandb's rule, applied to the whole path of the video file.
_NUMBERED = re.compile(r".+(video\.\d+).+")
# Marks our patch, so a second monitor() leaves it in place instead of wrapping it again.
_PATCHED = "_wanllmdb_monitor"


def video_key(path: str) -> str:
    """The history key of a video file: ``video.<n>`` when its path has such a part, else ``videos``."""
    match = _NUMBERED.match(path)
    return match.group(1) if match else "videos"


def monitor() -> None:
    """Log each video that ``gymnasium.wrappers.RecordVideo`` saves, as ``wanllmdb.Video``, to the run
    active when the video is saved."""
    original: Callable[[Any], None] = RecordVideo.stop_recording
    if getattr(original, _PATCHED, False):
        return

    @functools.wraps(original)
    def stop_recording(self: Any) -> None:
        # Read before the original clears them: it writes a file only when frames were captured.
        name, has_frames = getattr(self, "_video_name", None), bool(getattr(self, "recorded_frames", None))
        original(self)
        if has_frames and name is not None:
            _log_video(os.path.join(self.video_folder, f"{name}.mp4"))

    setattr(stop_recording, _PATCHED, True)
    RecordVideo.stop_recording = stop_recording  # type: ignore[method-assign]


def _log_video(path: str) -> None:
    run = wanllmdb.run
    if run is None:
        return
    try:
        run.log({video_key(path): Video(path)})
    except (OSError, WanllmdbError) as exc:
        termwarn(f"wanllmdb.integration.gym: the video {path} was not logged: {exc}")
