"""What users pass to ``log()`` as float64 values (or text), with errors that name the key and the fix."""

from __future__ import annotations

from array import array
from typing import Any

from wanllmdb.errors import InvalidValue, NotYetSupported

__all__ = ["MAX_KEY_LENGTH", "coerce_scalar", "coerce_value", "validate_key"]

MAX_KEY_LENGTH = 256

# Rich types users bring over from wandb scripts; storing them needs the media pipeline, which is not built.
_MEDIA_NAMES = frozenset(
    {
        "Image",
        "Video",
        "Audio",
        "Table",
        "Histogram",
        "Object3D",
        "Molecule",
        "Html",
        "Plotly",
        "Graph",
        "Artifact",
        "Figure",
        "AxesSubplot",
        "Axes",
        "PIL.Image",
        "JpegImageFile",
        "PngImageFile",
    }
)


def validate_key(key: object) -> str:
    if not isinstance(key, str):
        raise InvalidValue(
            f"log(): key {key!r} is a {type(key).__name__}; keys must be strings", key=str(key)
        )
    if not key:
        raise InvalidValue("log(): empty key; give every metric a name", key=key)
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidValue(
            f"log(): key {key[:40]!r}... is {len(key)} characters; the limit is {MAX_KEY_LENGTH}", key=key
        )
    return key


def coerce_value(key: str, value: Any) -> float | str:
    """A string stays text (the lake's ``text`` column, as wandb shows strings in tables and the summary);
    anything else must be a scalar (``coerce_scalar``)."""
    if isinstance(value, str):
        return str(value)  # a str subclass (numpy.str_) is stored as plain text
    return coerce_scalar(key, value)


def coerce_scalar(key: str, value: Any) -> float:
    """Slow path of ``log()``: everything that is not already a ``float``.

    A value is taken exactly when it converts to a C double the way ``log()``'s fast path converts
    it (``array('d')``: float, int, bool, numpy scalars, 0-d arrays; never a string: those are text,
    see ``coerce_value``), so a key's value is never accepted on one path and refused on the other.
    NaN and +/-inf stay as they are: a diverging loss is data, not an error.
    """
    try:
        return array("d", (value,))[0]
    except OverflowError as exc:
        raise InvalidValue(f"log(): {key!r}: {exc}", key=key) from exc
    except (TypeError, ValueError):  # torch raises ValueError for a tensor of more than one element
        pass
    cls = type(value)
    if cls.__name__ in _MEDIA_NAMES or cls.__module__.split(".")[0] in ("wandb", "wanllmdb"):
        raise NotYetSupported(
            f"log(): {key!r} is a {cls.__module__}.{cls.__name__}; media and rich types are not yet "
            f"supported by wanllmdb. Log scalars for now (e.g. a mean or a count).",
            key=key,
        )
    # Other array-likes (no __float__) with a single element expose .item() and a size of 1.
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "size", None) in (1, None) and _ndim(value) == 0:
        return coerce_scalar(key, item())
    shape = getattr(value, "shape", None)
    if shape is not None and _ndim(value) > 0:
        # wandb logs an array as a histogram; that needs the media pipeline (wanllmdb.Histogram).
        raise NotYetSupported(
            f"log(): {key!r} is a {cls.__module__}.{cls.__qualname__} of shape {tuple(shape)}; arrays are "
            f"not stored yet: wanllmdb.Histogram (wandb.Histogram) is coming with media support. Log a "
            f"scalar for now (e.g. its mean or norm).",
            key=key,
        )
    raise InvalidValue(
        f"log(): {key!r} has unsupported type {cls.__module__}.{cls.__qualname__}; "
        f"log an int, float, bool, str, numpy scalar, or a dict of those",
        key=key,
    )


def _ndim(value: Any) -> int:
    ndim = getattr(value, "ndim", None)
    if ndim is None:
        dim = getattr(value, "dim", None)  # torch tensors
        ndim = dim() if callable(dim) else 0
    return int(ndim)
