"""The interface between media types and the upload pipeline (schemas/media_descriptors.json).

A media object is built on the caller's thread, where its constructor only validates and keeps a
snapshot (no encoding). The pipeline's worker thread calls ``prepare(key, step)``, which encodes the
object and returns a ``Prepared``: the descriptor (without ``path``), the bytes, the extension and the
contract's directory. ``media_path`` names the object; ``to_media`` recognises what ``log()`` may hold.

Errors: bad input raises ``InvalidValue`` naming what was given and what is accepted (the pipeline
adds the key); a missing optional encoder raises ``MediaExtraMissing`` naming ``wanllmdb[media]``.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from wanllmdb.errors import InvalidValue

__all__ = [
    "Encoded",
    "FileMedia",
    "Media",
    "MediaExtraMissing",
    "Prepared",
    "media_path",
    "to_media",
]

MEDIA_EXTRA = "pip install 'wanllmdb[media]'"


class MediaExtraMissing(InvalidValue, ImportError):
    """An optional encoder (Pillow, imageio, imageio-ffmpeg, zstandard, ...) is not installed."""

    def __init__(self, what: str, packages: str) -> None:
        super().__init__(f"{what} needs {packages}, which is not installed: {MEDIA_EXTRA}")


@dataclass(frozen=True)
class Prepared:
    """One encoded media object, ready for the pipeline."""

    descriptor: dict[str, Any]  # per schemas/media_descriptors.json, WITHOUT "path" (the pipeline adds it)
    data: bytes | None  # the object's bytes; None for inline descriptors (Histogram)
    ext: str  # file extension without dot ("png", "wav", ...); "" for inline
    type_dir: str | None  # "image", "audio", ... from the contract; None for inline


@dataclass(frozen=True)
class Encoded:
    """What a file-backed type's ``_encode`` returns; the base adds ``_type``, ``sha256`` and ``size``."""

    data: bytes
    ext: str
    fields: dict[str, Any]  # type-specific descriptor fields; None values are left out


class Media(ABC):
    """Base of every media type: what the pipeline calls. File-backed types derive from ``FileMedia``."""

    _type: ClassVar[str]  # the descriptor's "_type", e.g. "image-file"
    _dir: ClassVar[str | None]  # the contract's directory, e.g. "image"; None for inline types

    @abstractmethod
    def prepare(self, key: str, step: int) -> Prepared:
        """Encode and hash; runs on the pipeline's worker thread, never on the caller's."""

    def prepare_with(self, key: str, step: int, store: Callable[[Media], dict[str, Any]]) -> Prepared:
        """``prepare`` for a type that holds other media (a Table's cells): ``store`` writes one of them
        and returns its descriptor with ``path``. Types without nested media ignore it."""
        return self.prepare(key, step)


class FileMedia(Media):
    """A type stored as one object: subclasses implement ``_encode``; hashing and the common descriptor
    fields (``_type``, ``sha256``, ``size``) live here."""

    def prepare(self, key: str, step: int) -> Prepared:
        enc = self._encode()
        descriptor: dict[str, Any] = {
            "_type": self._type,
            "sha256": hashlib.sha256(enc.data).hexdigest(),
            "size": len(enc.data),
        }
        descriptor.update({k: v for k, v in enc.fields.items() if v is not None})
        return Prepared(descriptor=descriptor, data=enc.data, ext=enc.ext, type_dir=self._dir)

    @abstractmethod
    def _encode(self) -> Encoded:
        """The object's bytes, extension and type-specific descriptor fields."""


def media_path(prepared: Prepared, key: str, step: int) -> str:
    """``{type}/{key}_{step}_{sha20}.{ext}``: the object's path under the run's media prefix."""
    if prepared.type_dir is None or prepared.data is None:
        raise ValueError(f"{prepared.descriptor.get('_type')} is stored inline and has no object path")
    sha20 = prepared.descriptor["sha256"][:20]
    return f"{prepared.type_dir}/{key.replace('/', '.')}_{step}_{sha20}.{prepared.ext}"


def is_tensor(value: Any) -> bool:
    """A torch tensor, told apart without importing torch (it is never a dependency)."""
    return (type(value).__module__ or "").startswith("torch") and hasattr(value, "detach")


def tensor_to_numpy(tensor: Any) -> Any:
    """A copy of `tensor` as a numpy array, off the autograd graph and the GPU. Half-precision floats
    (bfloat16 has no numpy dtype) become float32."""
    t = tensor.detach().cpu()
    if t.is_floating_point() and t.element_size() < 4:
        t = t.float()
    return t.numpy()


def _is_chart(value: Any) -> bool:
    """A ``wanllmdb.plot`` chart: the buffer logs its table and the run records its panel."""
    return type(value).__name__ == "CustomChart" and type(value).__module__ == "wanllmdb.plot.custom_chart"


def _is_matplotlib_figure(value: Any) -> bool:
    # Checked without importing matplotlib: a script that never imported it pays nothing.
    mod = type(value).__module__ or ""
    return mod.startswith("matplotlib") and hasattr(value, "savefig") and hasattr(value, "canvas")


def to_media(value: Any) -> Media | list[Media] | None:
    """A Media as is; a non-empty list/tuple of media as a gallery (list); a matplotlib figure (or the
    ``matplotlib.pyplot`` module, as wandb accepts) converted; ``None`` for anything else."""
    if isinstance(value, Media) or _is_chart(value):
        return value
    if _is_matplotlib_figure(value) or getattr(value, "__name__", None) == "matplotlib.pyplot":
        from wanllmdb.data_types.figures import from_matplotlib

        return from_matplotlib(value)
    if isinstance(value, list | tuple) and value:
        items = [to_media(v) for v in value]
        if all(isinstance(i, Media) for i in items):
            return [i for i in items if isinstance(i, Media)]
    return None


def import_optional(module: str, what: str, packages: str) -> Any:
    """Import an optional encoder, or raise ``MediaExtraMissing`` naming the ``wanllmdb[media]`` extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MediaExtraMissing(what, packages) from e


def describe(value: Any) -> str:
    """A short description of what the caller passed, for error messages: type, shape and dtype."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {tuple(shape)} and dtype {dtype}"
    return f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")


def read_source(path: Any, what: str, accepted: str) -> bytes:
    """The bytes of a file the caller named; ``InvalidValue`` naming it when it cannot be read."""
    import os

    try:
        with open(os.fspath(path), "rb") as f:
            return f.read()
    except OSError as e:
        raise InvalidValue(
            f"{what}: cannot read file {str(path)!r} ({e.strerror}); accepted: {accepted}"
        ) from e
