"""wandb's image overlays, validated into the descriptor's JSON: bounding boxes, segmentation masks and
class sets (``Image(boxes=, masks=, classes=)``).

Shapes, as in wandb::

    boxes   = {"predictions": {"box_data": [{"position": {"minX", "maxX", "minY", "maxY"}
                                                      | {"middle": [x, y], "width", "height"},
                                             "domain": "pixel" (else fractions of the image),
                                             "class_id": 1, "box_caption": "cat", "scores": {"p": 0.9}}],
                               "class_labels": {1: "cat"}}}
    masks   = {"ground_truth": {"mask_data": <2-D integer array, class ids 0..255> | "path": "m.png",
                                "class_labels": {1: "cat"}}}
    classes = [{"id": 1, "name": "cat"}, ...]

In the descriptor a mask is ``{"png": <base64 PNG, 8-bit grey, one class id a pixel>, "width",
"height", "class_labels"}``: small for class maps, and no second object per image.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from wanllmdb.data_types.base import describe, read_source
from wanllmdb.errors import InvalidValue

__all__ = ["MaskSnapshot", "check_boxes", "check_classes", "check_masks", "masks_descriptor"]

_BOX_SHAPE = (
    "boxes={group: {'box_data': [{'position': {'minX','maxX','minY','maxY'} or "
    "{'middle': [x, y], 'width', 'height'}, 'class_id': int, 'box_caption'?: str, 'scores'?: {name: number}, "
    "'domain'?: 'pixel'}], 'class_labels'?: {int: str}}}"
)
_MASK_SHAPE = (
    "masks={group: {'mask_data': 2-D integer array of class ids 0..255 (or 'path': PNG file), "
    "'class_labels'?: {int: str}}}"
)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or (not isinstance(value, int | float) and not hasattr(value, "__float__")):
        raise InvalidValue(f"Image {where}: expected a number, got {describe(value)}; accepted: {_BOX_SHAPE}")
    return float(value)


def _class_labels(labels: Any, where: str) -> dict[str, str] | None:
    if labels is None:
        return None
    if not isinstance(labels, Mapping):
        raise InvalidValue(
            f"Image {where}.class_labels: expected a dict {{int: str}}, got {describe(labels)}"
        )
    out: dict[str, str] = {}
    for k, v in labels.items():
        try:
            out[str(int(k))] = str(v)
        except (TypeError, ValueError):
            raise InvalidValue(
                f"Image {where}.class_labels: keys must be integer class ids, got {k!r}"
            ) from None
    return out


def check_classes(classes: Any) -> list[dict[str, Any]] | None:
    """wandb's ``classes``: a list of ``{"id": int, "name": str}`` (or a ``wandb.Classes``-like object
    with ``_class_set``)."""
    if classes is None:
        return None
    items = getattr(classes, "_class_set", classes)
    if isinstance(items, Mapping):
        items = [{"id": k, "name": v} for k, v in items.items()]
    if not isinstance(items, list | tuple):
        raise InvalidValue(
            f"Image classes: expected a list of {{'id': int, 'name': str}}, got {describe(classes)}"
        )
    out = []
    for c in items:
        if not isinstance(c, Mapping) or "id" not in c:
            raise InvalidValue(f"Image classes: each class is {{'id': int, 'name': str}}, got {c!r}")
        try:
            out.append({"id": int(c["id"]), "name": str(c.get("name", c["id"]))})
        except (TypeError, ValueError):
            raise InvalidValue(f"Image classes: 'id' must be an integer, got {c['id']!r}") from None
    return out


def _position(pos: Any, where: str) -> dict[str, float | list[float]]:
    if not isinstance(pos, Mapping):
        raise InvalidValue(
            f"Image {where}.position: expected a dict, got {describe(pos)}; accepted: {_BOX_SHAPE}"
        )
    if {"minX", "maxX", "minY", "maxY"} <= pos.keys():
        return {k: _number(pos[k], f"{where}.position.{k}") for k in ("minX", "maxX", "minY", "maxY")}
    if {"middle", "width", "height"} <= pos.keys():
        middle = pos["middle"]
        if not isinstance(middle, list | tuple) or len(middle) != 2:
            raise InvalidValue(f"Image {where}.position.middle: expected [x, y], got {middle!r}")
        return {
            "middle": [_number(m, f"{where}.position.middle") for m in middle],
            "width": _number(pos["width"], f"{where}.position.width"),
            "height": _number(pos["height"], f"{where}.position.height"),
        }
    raise InvalidValue(f"Image {where}.position: got keys {sorted(pos)}; accepted: {_BOX_SHAPE}")


def _box(box: Any, where: str) -> dict[str, Any]:
    if not isinstance(box, Mapping) or "position" not in box or "class_id" not in box:
        raise InvalidValue(
            f"Image {where}: expected a box with 'position' and 'class_id', got {box!r}; "
            f"accepted: {_BOX_SHAPE}"
        )
    out: dict[str, Any] = {"position": _position(box["position"], where)}
    try:
        out["class_id"] = int(box["class_id"])
    except (TypeError, ValueError):
        raise InvalidValue(f"Image {where}.class_id: expected an integer, got {box['class_id']!r}") from None
    if box.get("box_caption") is not None:
        out["box_caption"] = str(box["box_caption"])
    if box.get("domain") is not None:
        if box["domain"] != "pixel":
            raise InvalidValue(
                f"Image {where}.domain: only 'pixel' (or none: fractions), got {box['domain']!r}"
            )
        out["domain"] = "pixel"
    if box.get("scores") is not None:
        scores = box["scores"]
        if not isinstance(scores, Mapping):
            raise InvalidValue(f"Image {where}.scores: expected {{name: number}}, got {describe(scores)}")
        out["scores"] = {str(k): _number(v, f"{where}.scores.{k}") for k, v in scores.items()}
    return out


def check_boxes(boxes: Any) -> dict[str, Any] | None:
    """wandb's ``boxes`` dict, validated and turned into plain JSON (class label keys become strings)."""
    if boxes is None:
        return None
    if not isinstance(boxes, Mapping):
        raise InvalidValue(f"Image boxes: expected a dict, got {describe(boxes)}; accepted: {_BOX_SHAPE}")
    out: dict[str, Any] = {}
    for group, spec in boxes.items():
        where = f"boxes[{group!r}]"
        if not isinstance(spec, Mapping) or not isinstance(spec.get("box_data"), list | tuple):
            raise InvalidValue(
                f"Image {where}: expected {{'box_data': [...], 'class_labels': ...}}, "
                f"got {describe(spec)}; accepted: {_BOX_SHAPE}"
            )
        entry: dict[str, Any] = {
            "box_data": [_box(b, f"{where}.box_data[{i}]") for i, b in enumerate(spec["box_data"])]
        }
        labels = _class_labels(spec.get("class_labels"), where)
        if labels is not None:
            entry["class_labels"] = labels
        out[str(group)] = entry
    return out


class MaskSnapshot:
    """One mask group kept from the constructor to ``prepare``: a uint8 class map or a PNG's bytes."""

    __slots__ = ("class_labels", "pixels", "png")

    def __init__(self, pixels: Any, png: bytes | None, class_labels: dict[str, str] | None) -> None:
        self.pixels = pixels
        self.png = png
        self.class_labels = class_labels


def _mask_pixels(data: Any, where: str) -> Any:
    import numpy as np

    a = np.asarray(data)
    if a.ndim != 2 or a.dtype.kind not in "biuf":
        raise InvalidValue(f"Image {where}.mask_data: got {describe(data)}; accepted: {_MASK_SHAPE}")
    if a.size and (a.min() < 0 or a.max() > 255 or (a.dtype.kind == "f" and not np.all(a == np.round(a)))):
        raise InvalidValue(
            f"Image {where}.mask_data: class ids must be integers 0..255, "
            f"got values {a.min()}..{a.max()} ({a.dtype})"
        )
    return a.astype(np.uint8)  # a copy: later changes to the caller's array do not reach the mask


def check_masks(masks: Any) -> dict[str, MaskSnapshot] | None:
    if masks is None:
        return None
    if not isinstance(masks, Mapping):
        raise InvalidValue(f"Image masks: expected a dict, got {describe(masks)}; accepted: {_MASK_SHAPE}")
    out: dict[str, MaskSnapshot] = {}
    for group, spec in masks.items():
        where = f"masks[{group!r}]"
        if not isinstance(spec, Mapping) or ("mask_data" not in spec and "path" not in spec):
            raise InvalidValue(
                f"Image {where}: expected 'mask_data' or 'path', got {describe(spec)}; "
                f"accepted: {_MASK_SHAPE}"
            )
        labels = _class_labels(spec.get("class_labels"), where)
        if "mask_data" in spec:
            out[str(group)] = MaskSnapshot(_mask_pixels(spec["mask_data"], where), None, labels)
        else:
            png = read_source(spec["path"], f"Image {where}", _MASK_SHAPE)
            if png[:8] != b"\x89PNG\r\n\x1a\n":
                raise InvalidValue(
                    f"Image {where}.path: {spec['path']!r} is not a PNG; accepted: {_MASK_SHAPE}"
                )
            out[str(group)] = MaskSnapshot(None, png, labels)
    return out


def masks_descriptor(masks: dict[str, MaskSnapshot]) -> dict[str, Any]:
    """The masks' descriptor field; encodes class maps to PNG (worker thread)."""
    from wanllmdb.data_types._png import encode_png, image_size

    out: dict[str, Any] = {}
    for group, m in masks.items():
        png = m.png if m.png is not None else encode_png(m.pixels, level=9)
        size = image_size(png) or (None, None)
        entry: dict[str, Any] = {
            "png": base64.b64encode(png).decode("ascii"),
            "width": size[0],
            "height": size[1],
        }
        if m.class_labels is not None:
            entry["class_labels"] = m.class_labels
        out[group] = entry
    return out
