"""wanllmdb.Video: (T, C, H, W) and (N, T, C, H, W) arrays as GIF, MP4, WebM and Ogg; files kept as is."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from wanllmdb.data_types import MediaExtraMissing, Video, media_path
from wanllmdb.errors import InvalidValue

iio = pytest.importorskip("imageio.v3")


def frames(t: int = 6, c: int = 3, h: int = 16, w: int = 20) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (t, c, h, w), dtype=np.uint8)


def test_gif_by_default_with_the_descriptor() -> None:
    p = Video(frames(), caption="roll", fps=8).prepare("env/video", 5)
    assert p.data is not None and p.data[:6] == b"GIF89a" and p.ext == "gif"
    d = p.descriptor
    assert {k: d[k] for k in ("_type", "width", "height", "fps", "frames", "format", "caption")} == {
        "_type": "video-file", "width": 20, "height": 16, "fps": 8, "frames": 6, "format": "gif",
        "caption": "roll",
    }  # fmt: skip
    assert iio.imread(p.data, index=None).shape[:3] == (6, 16, 20)
    assert media_path(p, "env/video", 5) == f"video/env.video_5_{d['sha256'][:20]}.gif"


@pytest.mark.parametrize(("fmt", "magic"), [("mp4", b"ftyp"), ("webm", b"\x1aE\xdf\xa3"), ("ogg", b"OggS")])
def test_ffmpeg_formats_with_odd_sizes_padded(fmt: str, magic: bytes) -> None:
    pytest.importorskip("imageio_ffmpeg")
    p = Video(frames(h=15, w=21), format=fmt).prepare("k", 0)
    assert p.data is not None and magic in p.data[:12] and p.ext == fmt
    assert (p.descriptor["width"], p.descriptor["height"], p.descriptor["frames"]) == (22, 16, 6)


def test_batches_are_tiled_as_wandb_does() -> None:
    three = np.stack([frames(t=2, c=1, h=4, w=5)] * 3)  # N=3 is padded to 4, in 1 row of 4
    d = Video(three).prepare("k", 0).descriptor
    assert (d["width"], d["height"], d["frames"]) == (20, 4, 2)
    four = np.stack([frames(t=2, c=1, h=4, w=5)] * 4)  # 2 rows x 2 columns
    d = Video(four).prepare("k", 0).descriptor
    assert (d["width"], d["height"]) == (10, 8)


def test_floats_are_cast_like_wandb_and_arrays_copied() -> None:
    a = np.full((2, 3, 4, 4), 300.0)
    v = Video(a)
    a[:] = 0
    first = iio.imread(v.prepare("k", 0).data or b"", index=0)
    assert (first[..., :3] == 255).all()


def test_video_files_keep_their_bytes(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    p = Video(path).prepare("k", 0)
    assert (p.data, p.ext, p.descriptor["format"]) == (path.read_bytes(), "mp4", "mp4")
    assert Video(io.BytesIO(b"webm!"), format="webm").prepare("k", 0).data == b"webm!"
    with pytest.raises(InvalidValue, match=r"a file object needs format="):
        Video(io.BytesIO(b"x"))


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (
            np.zeros((3, 4, 4)),
            {},
            r"got ndarray of shape \(3, 4, 4\).*accepted: a numpy array \(T, C, H, W\)",
        ),
        (np.zeros((2, 2, 4, 4)), {}, r"shape \(2, 2, 4, 4\)"),
        (np.zeros((2, 3, 4, 4)), {"format": "avi"}, r"format must be one of gif, mp4, webm, ogg, got 'avi'"),
        (np.zeros((2, 3, 4, 4)), {"fps": 0}, r"fps must be a number in \(0, 1000\], got 0"),
        ("clip.txt", {}, r"'clip.txt' is not a video file by its name"),
        ("clip.mp4", {}, r"cannot read file 'clip.mp4'"),
    ],
)
def test_bad_input_names_what_is_accepted(value: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Video(value, **kwargs)  # type: ignore[arg-type]


def test_a_missing_codec_names_the_media_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    video = Video(frames(), format="mp4")  # the constructor does not encode
    with pytest.raises(MediaExtraMissing, match=r"Video\(format='mp4'\) needs imageio and imageio-ffmpeg.*"
                       r"pip install 'wanllmdb\[media\]'"):  # fmt: skip
        video.prepare("k", 0)
