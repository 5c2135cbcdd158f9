"""``Image``: wandb's image type (numpy, PIL, torch, matplotlib figures, files) with boxes and masks.

numpy follows wandb's rules: trivial dimensions are squeezed; (H, W) is grey ("L"); (H, W, 3) is RGB
and (H, W, 4) RGBA; (C, H, W) with C in 1, 3, 4 is accepted too when the last axis is not a channel
count. Values are mapped to 0..255 as wandb's ``to_uint8`` does: data with a negative minimum is
min-max scaled, data whose maximum is <= 1 is multiplied by 255, and the result is clipped.

The constructor validates and copies (about 0.1 ms for 512x512x3 uint8); scaling and PNG encoding run
in ``prepare`` on the pipeline's worker.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, ClassVar

from wanllmdb.data_types.base import (
    Encoded,
    FileMedia,
    describe,
    import_optional,
    is_tensor,
    read_source,
    tensor_to_numpy,
)
from wanllmdb.data_types.overlays import check_boxes, check_classes, check_masks, masks_descriptor
from wanllmdb.errors import InvalidValue

__all__ = ["Image"]

_ACCEPTED = (
    "a numpy array (H, W), (H, W, 1|3|4) or (1|3|4, H, W) of bool, integers or floats; a PIL image; "
    "a torch tensor (C, H, W) or (N, C, H, W); a matplotlib figure; or the path of an image file"
)
_MODES = {"L": 1, "RGB": 3, "RGBA": 4}
_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "bmp": "bmp", "webp": "webp",
            "tif": "tiff", "tiff": "tiff", "svg": "svg"}  # fmt: skip


def _torch_to_hwc(tensor: Any) -> Any:
    """wandb renders tensors with torchvision's ``make_grid(normalize=True)``: min-max scaled over the
    tensor, a batch (N, C, H, W) tiled 8 to a row with 2 pixels of padding. Done here in numpy."""
    import numpy as np

    a = np.asarray(tensor_to_numpy(tensor), dtype=np.float32)
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        a = a[None]
    if a.ndim != 4 or a.shape[1] not in (1, 3, 4):
        raise InvalidValue(f"Image: got a torch tensor of shape {tuple(tensor.shape)}; accepted: {_ACCEPTED}")
    lo, hi = float(a.min()), float(a.max())
    a = (a - lo) / max(hi - lo, 1e-5)
    n, c, h, w = a.shape
    if n == 1:
        grid = a[0]
    else:
        pad, ncol = 2, min(8, n)
        nrow = -(-n // ncol)
        grid = np.zeros((c, nrow * (h + pad) + pad, ncol * (w + pad) + pad), dtype=np.float32)
        for i in range(n):
            y, x = (i // ncol) * (h + pad) + pad, (i % ncol) * (w + pad) + pad
            grid[:, y : y + h, x : x + w] = a[i]
    return np.ascontiguousarray((grid * 255).clip(0, 255).astype(np.uint8).transpose(1, 2, 0))


def _to_uint8(a: Any) -> Any:
    """wandb's ``Image.to_uint8``."""
    import numpy as np

    if a.dtype == np.uint8 and (a.size == 0 or a.max() > 1):
        return a
    data = a.astype(np.float64) if a.dtype.kind in "bf" or a.dtype.itemsize > 4 else a.astype(np.int64)
    if data.size and data.min() < 0:
        data = (data - data.min()) / max(float(np.ptp(data)), 1e-12)
    if data.size and data.max() <= 1.0:
        data = (data * 255).astype(np.int32)
    return data.clip(0, 255).astype(np.uint8)


class Image(FileMedia):
    """``wandb.Image(data_or_path, mode=None, caption=None, grouping=None, classes=None, boxes=None,
    masks=None, file_type=None)``."""

    _type: ClassVar[str] = "image-file"
    _dir: ClassVar[str | None] = "image"

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: Any = None,
        masks: Any = None,
        file_type: str | None = None,
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._grouping = grouping
        self._classes = check_classes(classes)
        self._boxes = check_boxes(boxes)
        self._masks = check_masks(masks)
        self._pixels: Any = None  # numpy, normalised in prepare
        self._pil: Any = None  # a PIL image snapshot
        self._file: bytes | None = None  # an encoded file (path or matplotlib), stored as is
        self._format = "png"
        if file_type is not None:
            ft = str(file_type).lower().lstrip(".")
            if ft not in _FORMATS or ft == "svg":
                raise InvalidValue(
                    f"Image file_type: got {file_type!r}; accepted: png, jpg, jpeg, gif, bmp, webp, tiff"
                )
            self._format = _FORMATS[ft]
        if mode is not None and mode not in _MODES and not _is_pil(data_or_path):
            raise InvalidValue(f"Image mode: got {mode!r}; accepted for arrays: {', '.join(_MODES)}")
        self._mode = mode

        if isinstance(data_or_path, str | os.PathLike):
            self._init_from_path(Path(data_or_path))
        elif isinstance(data_or_path, Image):
            self.__dict__.update(
                {k: v for k, v in data_or_path.__dict__.items() if k in ("_pixels", "_pil", "_file")}
            )
            self._format = data_or_path._format if file_type is None else self._format
            self._mode = mode or data_or_path._mode
        elif _is_pil(data_or_path):
            self._pil = data_or_path.copy() if mode is None else data_or_path.convert(mode)
        elif _is_figure(data_or_path):
            buf = io.BytesIO()
            data_or_path.savefig(buf, format="png")
            self._file, self._format = buf.getvalue(), "png"
        elif is_tensor(data_or_path):
            self._pixels = _torch_to_hwc(data_or_path)
            self._mode = mode or {1: "L", 3: "RGB", 4: "RGBA"}[self._pixels.shape[2]]
        else:
            self._init_from_array(data_or_path)

    def _init_from_path(self, path: Path) -> None:
        fmt = _FORMATS.get(path.suffix.lower().lstrip("."))
        if fmt is None:
            raise InvalidValue(
                f"Image: {str(path)!r} is not an image file by its name; accepted: {_ACCEPTED} "
                f"(extensions {', '.join(sorted(_FORMATS))})"
            )
        self._file = read_source(path, "Image", _ACCEPTED)
        self._format = fmt

    def _init_from_array(self, data: Any) -> None:
        if hasattr(data, "numpy") and not hasattr(data, "__array_interface__"):
            data = data.numpy()  # TensorFlow eager tensors, as wandb
        np = import_optional("numpy", "Image from an array", "numpy")
        if not isinstance(data, np.ndarray):
            if not isinstance(data, list | tuple):
                raise InvalidValue(f"Image: got {describe(data)}; accepted: {_ACCEPTED}")
            data = np.asarray(data)
        given = describe(data)
        if data.dtype.kind not in "biuf":
            raise InvalidValue(f"Image: got {given}; accepted: {_ACCEPTED}")
        a = data.squeeze() if data.ndim > 2 else data
        if a.ndim == 3 and a.shape[-1] not in _MODES.values() and a.shape[0] in (1, 3, 4):
            a = a.transpose(1, 2, 0)  # CHW -> HWC
        if a.ndim == 3 and a.shape[-1] == 1:
            a = a[:, :, 0]
        if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)) or 0 in a.shape:
            raise InvalidValue(f"Image: got {given}; accepted: {_ACCEPTED}")
        channels = 1 if a.ndim == 2 else a.shape[-1]
        if self._mode is not None and _MODES[self._mode] != channels:
            raise InvalidValue(
                f"Image: mode {self._mode!r} needs {_MODES[self._mode]} channel(s), got {given}"
            )
        self._mode = self._mode or {1: "L", 3: "RGB", 4: "RGBA"}[channels]
        self._pixels = np.array(a, order="C")  # a copy: the caller may reuse its buffer

    @property
    def caption(self) -> str | None:
        return self._caption

    def _encode(self) -> Encoded:
        from wanllmdb.data_types._png import encode_png, image_size

        if self._file is not None:
            data, fmt = self._file, self._format
        elif self._pil is not None:
            data, fmt = _save_pil(self._pil, self._format), self._format
        else:
            pixels = _to_uint8(self._pixels)
            if self._format == "png":
                data, fmt = encode_png(pixels), "png"
            else:
                pil = import_optional("PIL.Image", f"Image(file_type={self._format!r})", "Pillow")
                if self._format == "jpeg" and pixels.ndim == 3 and pixels.shape[2] == 4:
                    pixels = pixels[:, :, :3]  # JPEG has no alpha: wandb drops it too
                data, fmt = _save_pil(pil.fromarray(pixels), self._format), self._format
        width, height = image_size(data) or (None, None)
        ext = {"jpeg": "jpg", "tiff": "tif"}.get(fmt, fmt)
        fields: dict[str, Any] = {
            "width": width,
            "height": height,
            "format": ext,
            "caption": self._caption,
            "grouping": self._grouping,
            "classes": self._classes,
            "boxes": self._boxes,
            "masks": masks_descriptor(self._masks) if self._masks else None,
        }
        return Encoded(data=data, ext=ext, fields=fields)


def _is_pil(value: Any) -> bool:
    return (type(value).__module__ or "").startswith("PIL.") and hasattr(value, "save")


def _is_figure(value: Any) -> bool:
    return (type(value).__module__ or "").startswith("matplotlib") and hasattr(value, "savefig")


def _save_pil(img: Any, fmt: str) -> bytes:
    if fmt == "jpeg" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format=fmt.upper())
    return buf.getvalue()
