"""wanllmdb.Object3D: binary little-endian float32 points (never JSON), mesh files, boxes and vectors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from wanllmdb.data_types import Object3D, media_path
from wanllmdb.errors import InvalidValue


def points_of(data: bytes, fmt: str, cols: int) -> np.ndarray:
    if fmt.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompress(data)
    return np.frombuffer(data, dtype="<f4").reshape(-1, cols)


@pytest.mark.parametrize(("cols", "point_format"), [(3, "xyz"), (4, "xyzc"), (6, "xyzrgb")])
def test_point_clouds_are_little_endian_float32(cols: int, point_format: str) -> None:
    pts = np.random.default_rng(0).normal(size=(500, cols))
    p = Object3D(pts, caption="scan").prepare("lidar", 4)
    d = p.descriptor
    assert (d["_type"], d["points"], d["point_format"], d["caption"]) == (
        "object3D-file",
        500,
        point_format,
        "scan",
    )
    assert d["format"] in ("pts.f32", "pts.f32.zst") and p.ext == d["format"] and p.type_dir == "object3d"
    np.testing.assert_array_equal(points_of(p.data or b"", d["format"], cols), pts.astype(np.float32))
    assert media_path(p, "lidar", 4) == f"object3d/lidar_4_{d['sha256'][:20]}.{d['format']}"


def test_points_are_far_smaller_than_json() -> None:
    pts = np.random.default_rng(1).normal(size=(10_000, 3))
    stored = Object3D(pts).prepare("k", 0).data or b""
    assert len(stored) <= 0.4 * len(json.dumps(pts.astype(np.float32).tolist()))


def test_zstd_is_kept_only_when_it_saves_a_tenth() -> None:
    noisy = np.random.default_rng(2).normal(size=(20_000, 3))
    assert Object3D(noisy).prepare("k", 0).ext == "pts.f32"  # random floats: zstd saves ~7%
    grid = np.stack(np.meshgrid(np.arange(30.0), np.arange(30.0), np.arange(30.0)), -1).reshape(-1, 3)
    packed = Object3D(grid).prepare("k", 0)
    assert packed.ext == "pts.f32.zst" and len(packed.data or b"") < 0.9 * grid.size * 4
    np.testing.assert_array_equal(points_of(packed.data or b"", "pts.f32.zst", 3), grid.astype(np.float32))


def test_without_zstandard_points_are_stored_raw(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "zstandard", None)
    p = Object3D(np.ones((2, 3))).prepare("k", 0)
    assert p.ext == "pts.f32" and p.data == np.ones((2, 3), dtype="<f4").tobytes()


def test_identical_points_share_a_sha_and_are_copied() -> None:
    pts = np.arange(30.0).reshape(10, 3)
    obj = Object3D(pts)
    pts[:] = 0
    assert (
        obj.prepare("a", 0).descriptor["sha256"]
        == Object3D(np.arange(30.0).reshape(10, 3)).prepare("b", 1).descriptor["sha256"]
    )


def test_the_dict_form_keeps_boxes_and_vectors_inline() -> None:
    corners = [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    obj = Object3D.from_point_cloud(
        points=np.zeros((5, 3)),
        boxes=np.array([{"corners": corners, "label": "car", "color": [255, 0, 0], "score": 0.7}]),
        vectors=[{"start": [0, 0, 0], "end": [1, 1, 1]}],
    )
    d = obj.prepare("k", 0).descriptor
    assert d["points"] == 5
    assert d["boxes"] == [{"corners": [[float(v) for v in c] for c in corners], "label": "car",
                           "color": [255.0, 0.0, 0.0], "score": 0.7}]  # fmt: skip
    assert d["vectors"] == [{"start": [0.0, 0.0, 0.0], "end": [1.0, 1.0, 1.0]}]


@pytest.mark.parametrize("ext", ["obj", "gltf", "glb", "stl"])
def test_mesh_files_are_kept_as_they_are(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"mesh.{ext}"
    path.write_bytes(b"v 0 0 0\n")
    p = Object3D(path).prepare("k", 0)
    assert (p.data, p.ext, p.descriptor["format"]) == (b"v 0 0 0\n", ext, ext)
    assert "points" not in p.descriptor
    assert Object3D.from_file(io.StringIO("v 0 0 0\n"), file_type=ext).prepare("k", 0).data == b"v 0 0 0\n"


def test_pts_json_files_become_binary(tmp_path: Path) -> None:
    path = tmp_path / "cloud.pts.json"
    path.write_text(json.dumps([[1, 2, 3], [4, 5, 6]]))
    d = Object3D(str(path)).prepare("k", 0).descriptor
    assert (d["points"], d["point_format"]) == (2, "xyz")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.zeros((5, 5)), r"got ndarray of shape \(5, 5\) and dtype float64; accepted: a numpy array N x 3"),
        (np.zeros(3), r"shape \(3,\)"),
        ({"boxes": []}, r"the dict form needs 'points'"),
        (
            {"points": np.zeros((1, 3)), "boxes": [{"corners": [[0, 0, 0]]}]},
            r"boxes\[0\].corners: expected 8",
        ),
        (
            {"points": np.zeros((1, 3)), "vectors": [{"start": [0, 0]}]},
            r"vectors\[0\]: expected 'start' and 'end'",
        ),
        (
            {"points": np.zeros((1, 3)), "vectors": [{"start": [0, 0], "end": [1, 1, 1]}]},
            r"expected 3 numbers",
        ),
        ("model.fbx", r"cannot read file 'model.fbx'"),
        (io.BytesIO(b"x"), r"a file object needs file_type="),
    ],
)
def test_bad_input_names_what_is_accepted(value: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        Object3D(value)


def test_unknown_file_types_are_refused(tmp_path: Path) -> None:
    (tmp_path / "model.fbx").write_bytes(b"x")
    with pytest.raises(InvalidValue, match=r"'.*model.fbx' is not a 3D file by its name"):
        Object3D(tmp_path / "model.fbx")
