"""``wanllmdb.util``: the part of ``wandb.util`` that training scripts and integrations call:
``generate_id`` and ``json_dumps_safer`` (Ray's Tune callback imports it).

Named after wandb's module so ``wandb.util.generate_id()`` keeps working; it is not a place for our own
helpers, which live in the modules of their concept.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

__all__ = ["generate_id", "json_dumps_safer"]

_ALPHABET = string.ascii_lowercase + string.digits  # the alphabet run ids allow (init(id=...))


def generate_id(length: int = 8) -> str:
    """A random run id, as init() makes one: lowercase letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _plain(value: Any) -> Any:
    """A value json cannot write, as one it can: numpy scalars and arrays, sets, bytes, anything else
    as its ``str``."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def json_dumps_safer(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` that never raises on a value json cannot write, as wandb's does."""
    return json.dumps(obj, default=_plain, **kwargs)
