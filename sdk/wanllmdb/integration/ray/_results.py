"""Ray's result cleaning (``ray.air.integrations.wandb._clean_log`` and ``_handle_result``): which values
a Tune result logs, which go to the config, and how arrays become media."""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping, Sequence
from numbers import Number
from typing import Any

import numpy as np
from ray.tune.utils import flatten_dict

from wanllmdb.data_types import Image, Media, Video

__all__ = ["clean_log", "is_allowed_type", "split_result"]


def is_allowed_type(obj: Any) -> bool:
    """What Ray's callback logs: numbers, media, one-element numeric arrays, sequences of media."""
    if isinstance(obj, np.ndarray) and obj.size == 1:
        return isinstance(obj.item(), Number)
    if isinstance(obj, Sequence) and not isinstance(obj, str) and len(obj) > 0:
        return isinstance(obj[0], Media)
    return isinstance(obj, Number | Media)


def clean_log(
    obj: Any, *, video_kwargs: dict[str, Any] | None = None, image_kwargs: dict[str, Any] | None = None
) -> Any:
    """Ray's ``_clean_log``: arrays of images (HWC, NHWC) and videos (NTCHW) become media; anything that
    cannot be pickled or written as JSON becomes an int, a float or a string."""
    video_kwargs, image_kwargs = video_kwargs or {}, image_kwargs or {}

    def clean(value: Any) -> Any:
        return clean_log(value, video_kwargs=video_kwargs, image_kwargs=image_kwargs)

    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, list | set):
        return [clean(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(clean(v) for v in obj)
    if isinstance(obj, np.ndarray) and obj.ndim == 3:
        return Image(obj, **image_kwargs)
    if isinstance(obj, np.ndarray) and obj.ndim == 4:
        if obj.shape[0] > 1:
            return [Image(v, **image_kwargs) for v in obj]
        return Image(obj[0], **image_kwargs)
    if isinstance(obj, np.ndarray) and obj.ndim == 5:
        if obj.shape[0] > 1:
            return [Video(v, **video_kwargs) for v in obj]
        return Video(obj[0], **video_kwargs)
    if is_allowed_type(obj):
        return obj
    try:
        json.dumps(obj)
        pickle.dumps(obj)
        return obj
    except Exception:
        return _fallback(str(obj))


def _fallback(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def split_result(
    result: Mapping[str, Any], exclude: frozenset[str], to_config: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ray's ``_handle_result``: (the row to log, the config update). Keys are flattened with "/";
    ``exclude`` and ``to_config`` match a key or a prefix of it."""

    def matches(key: str, names: frozenset[str]) -> bool:
        return any(key == name or key.startswith(name + "/") for name in names)

    config_update = dict(result.get("config", {}))
    row: dict[str, Any] = {}
    for key, value in flatten_dict(dict(result), delimiter="/").items():
        if matches(key, exclude):
            continue
        if matches(key, to_config):
            config_update[key] = value
        elif is_allowed_type(value):
            row[key] = value
    config_update.pop("callbacks", None)
    return row, config_update
