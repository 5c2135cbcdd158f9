"""``Object3D``: point clouds stored as binary little-endian float32 (zstd-compressed when zstandard is
installed and it saves at least a tenth), never as JSON text; and the mesh files wandb accepts (.obj
.gltf .glb .stl), kept as is.

Points are N x 3 (xyz), N x 4 (xyz + category) or N x 6 (xyz + rgb in 0..255), row-major. The dict form
``{"type": "lidar/beta", "points": ..., "boxes": [...], "vectors": [...]}`` keeps its boxes
(``{"corners": 8 x [x, y, z], "label"?, "color"?: [r, g, b], "score"?}``) and vectors
(``{"start": [x, y, z], "end": [x, y, z], "color"?}``) inline in the descriptor.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from wanllmdb.data_types.base import Encoded, FileMedia, describe, import_optional, read_source
from wanllmdb.errors import InvalidValue

__all__ = ["Object3D"]

# Compressed points are kept only at this fraction of the raw size or less.
ZSTD_WORTH_IT = 0.9

_ACCEPTED = (
    "a numpy array N x 3 (xyz), N x 4 (xyz + category) or N x 6 (xyz + rgb); a dict "
    "{'type': 'lidar/beta', 'points': ..., 'boxes'?: [...], 'vectors'?: [...]}; or a .obj, .gltf, .glb, "
    ".stl or .pts.json file"
)
_MESHES = ("obj", "gltf", "glb", "stl")
_POINT_FORMATS = {3: "xyz", 4: "xyzc", 6: "xyzrgb"}
_BOX_SHAPE = "boxes: [{'corners': 8 x [x, y, z], 'label'?: str, 'color'?: [r, g, b], 'score'?: number}]"
_VECTOR_SHAPE = "vectors: [{'start': [x, y, z], 'end': [x, y, z], 'color'?: [r, g, b]}]"


def _points(value: Any) -> Any:
    np = import_optional("numpy", "Object3D from an array", "numpy")
    a = np.asarray(value) if isinstance(value, list | tuple) else value
    if (
        not isinstance(a, np.ndarray)
        or a.dtype.kind not in "biuf"
        or a.ndim != 2
        or a.shape[1] not in (3, 4, 6)
    ):
        raise InvalidValue(f"Object3D: got {describe(value)}; accepted: {_ACCEPTED}")
    return np.array(a, dtype="<f4", order="C")  # a copy in the stored layout


def _triple(value: Any, where: str, shape: str) -> list[float]:
    try:
        out = [float(v) for v in value]
    except (TypeError, ValueError):
        out = []
    if len(out) != 3:
        raise InvalidValue(f"Object3D {where}: expected 3 numbers, got {value!r}; accepted: {shape}")
    return out


def _boxes(boxes: Any) -> list[dict[str, Any]]:
    out = []
    for i, box in enumerate(boxes):
        if not isinstance(box, Mapping) or "corners" not in box:
            raise InvalidValue(
                f"Object3D boxes[{i}]: expected a dict with 'corners', got {box!r}; {_BOX_SHAPE}"
            )
        corners = list(box["corners"])
        if len(corners) != 8:
            raise InvalidValue(
                f"Object3D boxes[{i}].corners: expected 8 corners, got {len(corners)}; {_BOX_SHAPE}"
            )
        entry: dict[str, Any] = {"corners": [_triple(c, f"boxes[{i}].corners", _BOX_SHAPE) for c in corners]}
        if box.get("label") is not None:
            entry["label"] = str(box["label"])
        if box.get("color") is not None:
            entry["color"] = _triple(box["color"], f"boxes[{i}].color", _BOX_SHAPE)
        if box.get("score") is not None:
            entry["score"] = float(box["score"])
        out.append(entry)
    return out


def _vectors(vectors: Any) -> list[dict[str, Any]]:
    out = []
    for i, vec in enumerate(vectors):
        if not isinstance(vec, Mapping) or "start" not in vec or "end" not in vec:
            raise InvalidValue(
                f"Object3D vectors[{i}]: expected 'start' and 'end', got {vec!r}; {_VECTOR_SHAPE}"
            )
        entry = {
            "start": _triple(vec["start"], f"vectors[{i}].start", _VECTOR_SHAPE),
            "end": _triple(vec["end"], f"vectors[{i}].end", _VECTOR_SHAPE),
        }
        if vec.get("color") is not None:
            entry["color"] = _triple(vec["color"], f"vectors[{i}].color", _VECTOR_SHAPE)
        out.append(entry)
    return out


class Object3D(FileMedia):
    """``wandb.Object3D(data_or_path, caption=None, **kwargs)``; ``file_type=`` names a file object's type."""

    _type: ClassVar[str] = "object3D-file"
    _dir: ClassVar[str | None] = "object3d"

    def __init__(self, data_or_path: Any, caption: str | None = None, **kwargs: Any) -> None:
        self._caption = None if caption is None else str(caption)
        self._points: Any = None
        self._file: bytes | None = None
        self._format = ""
        self._boxes: list[dict[str, Any]] | None = None
        self._vectors: list[dict[str, Any]] | None = None
        if isinstance(data_or_path, str | os.PathLike):
            self._init_from_file(read_source(Path(data_or_path), "Object3D", _ACCEPTED), str(data_or_path))
        elif hasattr(data_or_path, "read"):
            file_type = kwargs.get("file_type")
            if file_type is None:
                raise InvalidValue(f"Object3D: a file object needs file_type= (one of {', '.join(_MESHES)})")
            raw = data_or_path.read()
            self._init_from_file(raw.encode("utf-8") if isinstance(raw, str) else raw, f"x.{file_type}")
        elif isinstance(data_or_path, Mapping):
            if "points" not in data_or_path:
                raise InvalidValue(f"Object3D: the dict form needs 'points'; accepted: {_ACCEPTED}")
            self._points = _points(data_or_path["points"])
            boxes, vectors = data_or_path.get("boxes"), data_or_path.get("vectors")
            self._boxes = _boxes(boxes) if boxes is not None else None
            self._vectors = _vectors(vectors) if vectors is not None else None
        else:
            self._points = _points(data_or_path)

    def _init_from_file(self, data: bytes, name: str) -> None:
        lower = name.lower()
        if lower.endswith(".pts.json"):
            try:
                self._points = _points(json.loads(data))
            except ValueError:
                raise InvalidValue(
                    f"Object3D: {name!r} is not a JSON list of points; accepted: {_ACCEPTED}"
                ) from None
            return
        fmt = lower.rsplit(".", 1)[-1]
        if fmt not in _MESHES:
            raise InvalidValue(f"Object3D: {name!r} is not a 3D file by its name; accepted: {_ACCEPTED}")
        self._file, self._format = data, fmt

    @classmethod
    def from_numpy(cls, data: Any) -> Object3D:
        return cls(data)

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        return cls(data_or_path, file_type=file_type)

    @classmethod
    def from_point_cloud(
        cls, points: Any, boxes: Any = None, vectors: Any = None, point_cloud_type: str = "lidar/beta"
    ) -> Object3D:
        return cls({"type": point_cloud_type, "points": points, "boxes": boxes, "vectors": vectors})

    def _encode(self) -> Encoded:
        if self._file is not None:
            return Encoded(
                data=self._file, ext=self._format, fields={"format": self._format, "caption": self._caption}
            )
        raw = self._points.tobytes()
        data, fmt = raw, "pts.f32"
        try:
            import zstandard

            packed = zstandard.ZstdCompressor(level=3).compress(raw)
            # Noisy coordinates hardly compress (~7% for random float32), and the browser decodes zstd
            # in JavaScript (~250 ms per 1M points): keep the raw floats unless zstd saves a tenth.
            if len(packed) <= ZSTD_WORTH_IT * len(raw):
                data, fmt = packed, "pts.f32.zst"
        except ImportError:
            pass
        fields = {
            "format": fmt,
            "points": int(self._points.shape[0]),
            "point_format": _POINT_FORMATS[self._points.shape[1]],
            "boxes": self._boxes,
            "vectors": self._vectors,
            "caption": self._caption,
        }
        return Encoded(data=data, ext=fmt, fields=fields)
