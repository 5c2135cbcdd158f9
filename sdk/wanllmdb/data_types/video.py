"""``Video``: numpy (T, C, H, W) or (N, T, C, H, W) encoded as GIF, MP4, WebM or Ogg; files kept as is.

As in wandb: a batch (N, ...) is tiled into one video (N padded to a power of 2, as a grid of
2^(floor(log2 N)/2) rows); values are cast to uint8 (clipped to 0..255, not scaled); C is 1 (grey),
3 (RGB) or 4 (alpha dropped). GIF is written by imageio (with Pillow); MP4 (H.264), WebM (VP8) and
Ogg (Theora) by the ffmpeg binary that imageio-ffmpeg ships, never a system ffmpeg. Odd sizes are
padded by one black row/column for the codecs that need even ones (the descriptor says the stored
size). Encoding runs in ``prepare``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from wanllmdb.data_types.base import (
    Encoded,
    FileMedia,
    MediaExtraMissing,
    describe,
    import_optional,
    read_source,
)
from wanllmdb.errors import InvalidValue

__all__ = ["Video"]

_FORMATS = ("gif", "mp4", "webm", "ogg")
_FILE_FORMATS = (*_FORMATS, "ogv", "mov", "avi", "mkv")
_CODECS = {"mp4": ("libx264", ["-movflags", "+faststart"]), "webm": ("libvpx", ["-b:v", "2M"]),
           "ogg": ("libtheora", ["-q:v", "7"])}  # fmt: skip
_ACCEPTED = (
    "a numpy array (T, C, H, W) or (N, T, C, H, W) with C = 1, 3 or 4 of integers, floats or bool; "
    f"or the path of a video file ({', '.join(_FILE_FORMATS)}), or a file object with format="
)


def _tile(video: Any, *, even: bool) -> Any:
    """wandb's ``_prepare_video``: (N, T, C, H, W) -> (T, H', W', 3) uint8; ``even`` pads odd sizes
    with a black row/column (yuv420p needs even ones)."""
    import numpy as np

    if video.ndim == 4:
        video = video[None]
    b, t, c, h, w = video.shape
    v = video.clip(0, 255).astype(np.uint8) if video.dtype != np.uint8 else video
    if b & (b - 1):
        v = np.concatenate([v, np.zeros((2 ** b.bit_length() - b, t, c, h, w), dtype=np.uint8)])
    n_rows = 2 ** ((b.bit_length() - 1) // 2)
    n_cols = v.shape[0] // n_rows
    v = (
        v.reshape(n_rows, n_cols, t, c, h, w)
        .transpose(2, 0, 4, 1, 5, 3)
        .reshape(t, n_rows * h, n_cols * w, c)
    )
    if c == 1:
        v = np.repeat(v, 3, axis=3)
    elif c == 4:
        v = v[..., :3]
    if even and (v.shape[1] % 2 or v.shape[2] % 2):
        v = np.pad(v, ((0, 0), (0, v.shape[1] % 2), (0, v.shape[2] % 2), (0, 0)))
    return np.ascontiguousarray(v)


class Video(FileMedia):
    """``wandb.Video(data_or_path, caption=None, fps=4, format=None)``; ``format`` is gif (the default
    for arrays), mp4, webm or ogg."""

    _type: ClassVar[str] = "video-file"
    _dir: ClassVar[str | None] = "video"

    def __init__(
        self,
        data_or_path: Any,
        caption: str | None = None,
        fps: int | float | None = 4,
        format: str | None = None,
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._fps = 4 if fps is None else fps
        if isinstance(self._fps, bool) or not isinstance(self._fps, int | float) or not 0 < self._fps <= 1000:
            raise InvalidValue(f"Video: fps must be a number in (0, 1000], got {fps!r}")
        self._frames: Any = None
        self._file: bytes | None = None
        if isinstance(data_or_path, str | os.PathLike):
            path = Path(data_or_path)
            self._format = path.suffix.lower().lstrip(".")
            if self._format not in _FILE_FORMATS:
                raise InvalidValue(
                    f"Video: {str(path)!r} is not a video file by its name; accepted: {_ACCEPTED}"
                )
            self._file = read_source(path, "Video", _ACCEPTED)
            return
        if hasattr(data_or_path, "read"):  # a file object (BytesIO), as wandb: format= names its type
            self._format = (format or "").lower().lstrip(".")
            if self._format not in _FILE_FORMATS:
                raise InvalidValue(f"Video: a file object needs format= (one of {', '.join(_FILE_FORMATS)})")
            self._file = bytes(data_or_path.read())
            return
        fmt = (format or "gif").lower().lstrip(".")
        if fmt not in _FORMATS:
            raise InvalidValue(f"Video: format must be one of {', '.join(_FORMATS)}, got {format!r}")
        self._format = fmt
        np = import_optional("numpy", "Video from an array", "numpy")
        a = (
            data_or_path.numpy()
            if hasattr(data_or_path, "numpy") and not isinstance(data_or_path, np.ndarray)
            else data_or_path
        )
        if (
            not isinstance(a, np.ndarray)
            or a.dtype.kind not in "biuf"
            or a.ndim not in (4, 5)
            or a.shape[-3] not in (1, 3, 4)
            or 0 in a.shape
        ):
            raise InvalidValue(f"Video: got {describe(data_or_path)}; accepted: {_ACCEPTED}")
        self._frames = np.array(a)  # a copy; tiled and cast in prepare

    @property
    def caption(self) -> str | None:
        return self._caption

    def _encode(self) -> Encoded:
        fields: dict[str, Any] = {"format": self._format, "caption": self._caption}
        if self._file is not None:
            return Encoded(data=self._file, ext=self._format, fields=fields)
        frames = _tile(self._frames, even=self._format != "gif")
        t, h, w, _ = frames.shape
        data = _gif(frames, self._fps) if self._format == "gif" else _ffmpeg(frames, self._fps, self._format)
        fields.update(width=w, height=h, fps=self._fps, frames=t)
        return Encoded(data=data, ext=self._format, fields=fields)


def _gif(frames: Any, fps: float) -> bytes:
    iio = import_optional("imageio.v3", "Video(format='gif')", "imageio and Pillow")
    import_optional("PIL.Image", "Video(format='gif')", "imageio and Pillow")
    return bytes(iio.imwrite("<bytes>", frames, extension=".gif", duration=1000.0 / fps, loop=0))


def _bundled_ffmpeg(fmt: str) -> str:
    what, packages = f"Video(format={fmt!r})", "imageio and imageio-ffmpeg"
    ffmpeg = import_optional("imageio_ffmpeg", what, packages)
    bundled = Path(ffmpeg.__file__).parent / "binaries"
    exe = next((p for p in sorted(bundled.glob("ffmpeg*")) if os.access(p, os.X_OK)), None)
    if exe is None:  # a build without its binary: imageio-ffmpeg would fall back to a system ffmpeg
        raise MediaExtraMissing(f"{what} (imageio-ffmpeg without its bundled ffmpeg binary)", packages)
    return str(exe)


def _ffmpeg(frames: Any, fps: float, fmt: str) -> bytes:
    import subprocess

    import numpy as np

    exe = _bundled_ffmpeg(fmt)
    codec, params = _CODECS[fmt]
    with tempfile.TemporaryDirectory(prefix="wanllmdb-video-") as tmp:
        out = os.path.join(tmp, f"video.{fmt}")
        cmd = [exe, "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
               "-s", f"{frames.shape[2]}x{frames.shape[1]}", "-r", f"{fps}", "-i", "-",
               "-c:v", codec, "-pix_fmt", "yuv420p", *params, "-y", out]  # fmt: skip
        done = subprocess.run(
            cmd, input=np.ascontiguousarray(frames).tobytes(), capture_output=True, check=False
        )
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[-500:]
            raise InvalidValue(f"Video: ffmpeg could not encode {fmt} ({codec}): {message}")
        return Path(out).read_bytes()
