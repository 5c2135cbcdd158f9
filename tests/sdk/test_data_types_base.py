"""The interface the upload pipeline calls: Media.prepare, Prepared, media_path and to_media."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import wanllmdb
from wanllmdb import data_types
from wanllmdb.data_types import (
    Audio,
    Histogram,
    Html,
    Image,
    Media,
    Object3D,
    Plotly,
    Prepared,
    Video,
    media_path,
    to_media,
)


def test_types_are_exported_at_top_level_and_under_data_types() -> None:
    for name in ("Image", "Audio", "Video", "Object3D", "Html", "Plotly", "Histogram"):
        assert getattr(wanllmdb, name) is getattr(data_types, name)
        assert issubclass(getattr(wanllmdb, name), Media)
    assert wanllmdb.data_types is data_types


def test_importing_the_types_loads_no_encoder() -> None:
    import subprocess
    import sys

    code = (
        "import sys, wanllmdb\n"
        "mods = ('numpy', 'PIL', 'imageio', 'plotly', 'matplotlib', 'zstandard')\n"
        "print([m for m in mods if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_prepared_carries_a_descriptor_without_path_and_the_sha_of_its_bytes() -> None:
    p = Image(np.zeros((2, 2), dtype=np.uint8)).prepare("a/b", 12)
    assert isinstance(p, Prepared)
    assert "path" not in p.descriptor
    assert p.descriptor["sha256"] == hashlib.sha256(p.data or b"").hexdigest()
    assert media_path(p, "a/b", 12) == f"image/a.b_12_{p.descriptor['sha256'][:20]}.png"
    with pytest.raises(AttributeError):
        p.ext = "jpg"  # type: ignore[misc]


def test_identical_bytes_share_one_object_name_across_keys_at_the_sha() -> None:
    a = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    p1, p2 = Image(a).prepare("x", 1), Image(a).prepare("y", 2)
    assert media_path(p1, "x", 1).split("_")[-1] == media_path(p2, "y", 2).split("_")[-1]


def test_to_media_recognises_media_galleries_and_figures() -> None:
    img = Image(np.zeros((2, 2)))
    assert to_media(img) is img
    gallery = to_media([img, Image(np.ones((2, 2)))])
    assert isinstance(gallery, list) and len(gallery) == 2
    assert to_media((img,)) == [img]
    hist = Histogram([1, 2])
    assert to_media(hist) is hist
    for other in (1, 2.5, "text", None, [], [img, 3], {"a": img}, np.zeros(3)):
        assert to_media(other) is None


def test_to_media_converts_matplotlib_figures() -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    ax.imshow(np.eye(2))
    media = to_media(fig)
    assert isinstance(media, Image | Plotly)
    figs = to_media([fig, fig])
    assert isinstance(figs, list) and len(figs) == 2
    plt.close(fig)


def test_every_file_type_names_its_contract_directory() -> None:
    dirs = {
        Image(np.zeros((2, 2))): ("image", "image-file"),
        Audio(np.zeros(8), sample_rate=8000): ("audio", "audio-file"),
        Video(np.zeros((1, 3, 2, 2))): ("video", "video-file"),
        Object3D(np.zeros((1, 3))): ("object3d", "object3D-file"),
        Html("<p>"): ("html", "html-file"),
        Plotly({"data": []}): ("plotly", "plotly-file"),
    }
    for media, (type_dir, type_name) in dirs.items():
        p = media.prepare("k", 0)
        assert (p.type_dir, p.descriptor["_type"]) == (type_dir, type_name)
        assert p.data is not None and p.descriptor["size"] == len(p.data)
