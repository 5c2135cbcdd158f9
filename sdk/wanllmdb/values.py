"""What users pass to ``log()``: float64 values, text or media, with errors that name the key and the fix."""

from __future__ import annotations

import warnings
from array import array
from collections.abc import Callable
from functools import cache
from typing import Any

from wanllmdb.errors import InvalidValue, NotYetSupported

__all__ = ["MAX_KEY_LENGTH", "SKIPPED", "MediaValue", "coerce_scalar", "coerce_value", "validate_key"]

# A media value of log(): one wanllmdb.data_types Media, or a list of them (one gallery step).
MediaValue = Any
# What coerce_value gives for a media value whose conversion failed: the key is left out (with a warning
# that names it), never the rest of the row.
SKIPPED: Any = object()

MAX_KEY_LENGTH = 256

# Rich types users bring over from wandb scripts that ``to_media`` does not take (yet): Table, Molecule...
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


def coerce_value(key: str, value: Any) -> float | str | MediaValue:
    """A string stays text (the lake's ``text`` column, as wandb shows strings in tables and the summary);
    a media value (``to_media``) or a list of them (a gallery) is returned as it is, for the media worker;
    anything else must be a scalar (``coerce_scalar``)."""
    if isinstance(value, str):
        return str(value)  # a str subclass (numpy.str_) is stored as plain text
    try:
        return array("d", (value,))[0]
    except (TypeError, ValueError, OverflowError):
        pass
    media = _as_media(key, value)
    if media is not None:
        return media
    return coerce_scalar(key, value)


@cache
def _media_converter() -> Callable[[Any], Any] | None:
    """``wanllmdb.data_types.to_media``, imported on the first non-scalar value (it pulls in numpy)."""
    try:
        from wanllmdb.data_types.base import to_media
    except ImportError:
        return None
    return to_media  # type: ignore[no-any-return]


def _as_media(key: str, value: Any) -> MediaValue | None:
    """The Media of ``value``, a list of Media for a list of media values, or None when it is no media.

    The types' constructors validate and snapshot their data, so bad shapes raise there, in the caller's
    own line. A conversion that fails here (a figure that cannot be drawn) warns and leaves the key out.
    """
    to_media = _media_converter()
    if to_media is None:
        return None
    # stacklevel 7 names the user's log() line (coerce_value, _flatten, _add_slow, add_locked, log between)
    try:
        return to_media(value)  # a list of media comes back as a list: one gallery step
    except InvalidValue as exc:
        warnings.warn(f"wanllmdb: log(): {key!r} not stored: {exc}", RuntimeWarning, stacklevel=7)
    except Exception as exc:
        warnings.warn(
            f"wanllmdb: log(): {key!r} not stored: its {type(value).__name__} could not be converted to "
            f"media ({type(exc).__name__}: {exc}); the other keys of this log() call are stored",
            RuntimeWarning,
            stacklevel=7,
        )
    return SKIPPED


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
            f"log(): {key!r} is a {cls.__module__}.{cls.__name__}, which wanllmdb does not store yet. "
            f"Log scalars, strings or media (Image, Audio, Video, Object3D, Html, Plotly, Histogram).",
            key=key,
        )
    # Other array-likes (no __float__) with a single element expose .item() and a size of 1.
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "size", None) in (1, None) and _ndim(value) == 0:
        return coerce_scalar(key, item())
    shape = getattr(value, "shape", None)
    if shape is not None and _ndim(value) > 0:
        raise NotYetSupported(
            f"log(): {key!r} is a {cls.__module__}.{cls.__qualname__} of shape {tuple(shape)}; log an array "
            f"as wanllmdb.Histogram(values) (wandb.Histogram), or a scalar of it (e.g. its mean or norm).",
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
