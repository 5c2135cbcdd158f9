"""wanllmdb.Image: wandb's shapes and modes, the descriptor, overlays, and bad input."""

from __future__ import annotations

import base64
import hashlib
import io
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wanllmdb.data_types import Image, media_path
from wanllmdb.errors import InvalidValue

PIL = pytest.importorskip("PIL.Image")


def decode(data: bytes) -> np.ndarray:
    return np.asarray(PIL.open(io.BytesIO(data)))


def test_rgb_uint8_round_trips_losslessly_as_png() -> None:
    a = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    p = Image(a, caption="cat").prepare("samples/img", 7)
    assert p.ext == "png" and p.type_dir == "image"
    assert p.descriptor == {
        "_type": "image-file",
        "sha256": hashlib.sha256(p.data or b"").hexdigest(),
        "size": len(p.data or b""),
        "width": 64,
        "height": 48,
        "format": "png",
        "caption": "cat",
    }
    np.testing.assert_array_equal(decode(p.data or b""), a)
    sha = p.descriptor["sha256"]
    assert media_path(p, "samples/img", 7) == f"image/samples.img_7_{sha[:20]}.png"


@pytest.mark.parametrize(
    ("shape", "mode", "out_shape"),
    [
        ((20, 30), "L", (20, 30)),
        ((20, 30, 1), "L", (20, 30)),
        ((1, 20, 30, 3), "RGB", (20, 30, 3)),  # trivial dimensions squeezed, as wandb
        ((20, 30, 4), "RGBA", (20, 30, 4)),
        ((3, 20, 30), "RGB", (20, 30, 3)),  # CHW
        ((4, 20, 30), "RGBA", (20, 30, 4)),
        ((1, 20, 30), "L", (20, 30)),
    ],
)
def test_shapes_and_guessed_modes(shape: tuple[int, ...], mode: str, out_shape: tuple[int, ...]) -> None:
    img = Image(np.full(shape, 200, dtype=np.uint8))
    assert img._mode == mode
    pixels = decode(img.prepare("k", 0).data or b"")
    assert pixels.shape == out_shape
    assert (pixels == 200).all()


def test_chw_pixels_are_transposed_not_reshaped() -> None:
    chw = np.zeros((3, 4, 5), dtype=np.uint8)
    chw[0] = 255  # red plane
    px = decode(Image(chw).prepare("k", 0).data or b"")
    assert px.shape == (4, 5, 3) and (px[..., 0] == 255).all() and (px[..., 1:] == 0).all()


def test_values_follow_wandbs_to_uint8() -> None:
    unit = decode(Image(np.full((2, 2), 0.5)).prepare("k", 0).data or b"")
    assert (unit == 127).all()  # <= 1: times 255
    signed = decode(Image(np.array([[-1.0, 1.0]])).prepare("k", 0).data or b"")
    assert signed.tolist() == [[0, 255]]  # negative minimum: min-max scaled
    big = decode(Image(np.array([[0, 300.0]])).prepare("k", 0).data or b"")
    assert big.tolist() == [[0, 255]]  # clipped
    mask = decode(Image(np.array([[True, False]])).prepare("k", 0).data or b"")
    assert mask.tolist() == [[255, 0]]


def test_identical_pixels_give_identical_bytes_and_sha() -> None:
    a = np.random.default_rng(1).random((16, 16, 3))
    p1, p2 = Image(a).prepare("a", 1), Image(a.copy()).prepare("b", 2)
    assert p1.data == p2.data and p1.descriptor["sha256"] == p2.descriptor["sha256"]
    assert Image(a + 0.5).prepare("a", 1).descriptor["sha256"] != p1.descriptor["sha256"]


def test_constructor_snapshots_the_array() -> None:
    a = np.zeros((4, 4, 3), dtype=np.uint8)
    img = Image(a)
    a[:] = 255
    assert (decode(img.prepare("k", 0).data or b"") == 0).all()


def test_mode_must_match_channels() -> None:
    assert Image(np.zeros((4, 4, 3)), mode="RGB")._mode == "RGB"
    with pytest.raises(
        InvalidValue, match=r"mode 'RGBA' needs 4 channel\(s\), got ndarray of shape \(4, 4, 3\)"
    ):
        Image(np.zeros((4, 4, 3)), mode="RGBA")
    with pytest.raises(InvalidValue, match=r"mode: got 'CMYK'; accepted for arrays: L, RGB, RGBA"):
        Image(np.zeros((4, 4, 3)), mode="CMYK")


@pytest.mark.parametrize(
    ("value", "given"),
    [
        (np.zeros((5, 5, 2)), r"shape \(5, 5, 2\) and dtype float64"),
        (np.zeros((2, 3, 4, 5)), r"shape \(2, 3, 4, 5\)"),
        (np.zeros(5), r"shape \(5,\)"),
        (np.array([["a"]]), r"dtype <U1"),
        (np.zeros((4, 4), dtype=complex), r"dtype complex128"),
        ({"a": 1}, r"got dict"),
    ],
)
def test_bad_arrays_name_what_was_given_and_what_is_accepted(value: Any, given: str) -> None:
    with pytest.raises(InvalidValue, match=given + r".*accepted: a numpy array \(H, W\)"):
        Image(value)


def test_file_paths_keep_their_bytes_and_format(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    PIL.fromarray(np.zeros((10, 12, 3), dtype=np.uint8)).save(src, format="JPEG")
    p = Image(src, caption="c").prepare("k", 3)
    assert p.data == src.read_bytes()
    assert (p.ext, p.descriptor["format"], p.descriptor["width"], p.descriptor["height"]) == (
        "jpg",
        "jpg",
        12,
        10,
    )
    gif = tmp_path / "a.gif"
    PIL.fromarray(np.zeros((5, 7), dtype=np.uint8)).save(gif)
    assert Image(str(gif)).prepare("k", 0).descriptor["width"] == 7


def test_unreadable_or_unknown_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match=r"cannot read file '.*missing.png'.*accepted"):
        Image(tmp_path / "missing.png")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InvalidValue, match=r"'.*notes.txt' is not an image file by its name"):
        Image(tmp_path / "notes.txt")


def test_pil_images_and_file_type() -> None:
    pil = PIL.fromarray(np.full((6, 8, 3), 9, dtype=np.uint8))
    p = Image(pil).prepare("k", 0)
    assert p.descriptor["format"] == "png" and (decode(p.data or b"") == 9).all()
    jpg = Image(np.zeros((6, 8, 4), dtype=np.uint8), file_type="jpg").prepare("k", 0)
    assert jpg.ext == "jpg" and (jpg.descriptor["width"], jpg.descriptor["height"]) == (8, 6)
    with pytest.raises(InvalidValue, match=r"file_type: got 'exr'"):
        Image(np.zeros((2, 2)), file_type="exr")


def test_boxes_classes_and_masks_land_in_the_descriptor() -> None:
    mask = np.zeros((4, 6), dtype=np.int64)
    mask[1:3, 2:4] = 2
    img = Image(
        np.zeros((4, 6, 3), dtype=np.uint8),
        grouping=2,
        classes=[{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        boxes={
            "predictions": {
                "box_data": [
                    {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6}, "class_id": 1,
                     "box_caption": "cat", "scores": {"p": 0.9}},
                    {"position": {"middle": [3, 2], "width": 2, "height": 2}, "domain": "pixel",
                     "class_id": 2},
                ],
                "class_labels": {1: "cat", 2: "dog"},
            }
        },
        masks={"truth": {"mask_data": mask, "class_labels": {0: "bg", 2: "dog"}}},
    )  # fmt: skip
    mask[:] = 0  # the mask was copied
    d = img.prepare("k", 0).descriptor
    assert d["grouping"] == 2
    assert d["classes"] == [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]
    boxes = d["boxes"]["predictions"]
    assert boxes["class_labels"] == {"1": "cat", "2": "dog"}
    assert boxes["box_data"][0] == {
        "position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
        "class_id": 1,
        "box_caption": "cat",
        "scores": {"p": 0.9},
    }
    assert boxes["box_data"][1]["position"] == {"middle": [3.0, 2.0], "width": 2.0, "height": 2.0}
    m = d["masks"]["truth"]
    assert (m["width"], m["height"], m["class_labels"]) == (6, 4, {"0": "bg", "2": "dog"})
    decoded = decode(base64.b64decode(m["png"]))
    assert decoded.shape == (4, 6) and decoded[1, 2] == 2 and decoded[0, 0] == 0


def test_masks_from_png_files(tmp_path: Path) -> None:
    path = tmp_path / "m.png"
    PIL.fromarray(np.ones((3, 3), dtype=np.uint8)).save(path)
    d = Image(np.zeros((3, 3)), masks={"pred": {"path": str(path)}}).prepare("k", 0).descriptor
    assert base64.b64decode(d["masks"]["pred"]["png"]) == path.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"boxes": [1]}, r"boxes: expected a dict, got list; accepted: boxes=\{group"),
        (
            {"boxes": {"p": {"box_data": [{"class_id": 1}]}}},
            r"boxes\['p'\].box_data\[0\]: expected a box with",
        ),
        (
            {"boxes": {"p": {"box_data": [{"position": {"x": 1}, "class_id": 1}]}}},
            r"position: got keys \['x'\]",
        ),
        (
            {
                "boxes": {
                    "p": {
                        "box_data": [
                            {"position": {"minX": "a", "maxX": 1, "minY": 0, "maxY": 1}, "class_id": 1}
                        ]
                    }
                }
            },
            r"position.minX: expected a number, got str",
        ),
        ({"boxes": {"p": {"box_data": [], "class_labels": {"cat": 1}}}}, r"keys must be integer class ids"),
        (
            {"masks": {"t": {"mask_data": np.zeros((2, 2, 3))}}},
            r"mask_data: got ndarray of shape \(2, 2, 3\)",
        ),
        ({"masks": {"t": {"mask_data": np.full((2, 2), 300)}}}, r"class ids must be integers 0..255"),
        ({"masks": {"t": {}}}, r"masks\['t'\]: expected 'mask_data' or 'path'"),
        ({"classes": 3}, r"classes: expected a list of"),
    ],
)
def test_bad_overlays_are_refused_with_their_shape(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Image(np.zeros((2, 2)), **kwargs)


def test_matplotlib_figures_become_png() -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([1, 2])
    p = Image(fig).prepare("k", 0)
    plt.close(fig)
    assert (p.ext, p.descriptor["width"], p.descriptor["height"]) == ("png", 100, 50)


def test_constructor_is_cheap_on_the_callers_thread() -> None:
    a = np.random.default_rng(0).integers(0, 256, (512, 512, 3), dtype=np.uint8)
    Image(a)
    best = min(_timed(lambda: Image(a)) for _ in range(20))
    assert best < 0.005  # the budget is 1 ms; generous for a shared CI machine


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
