"""``wanllmdb.util``: the part of ``wandb.util`` that training scripts call (only ``generate_id`` today).

Named after wandb's module so ``wandb.util.generate_id()`` keeps working; it is not a place for our own
helpers, which live in the modules of their concept.
"""

from __future__ import annotations

import secrets
import string

__all__ = ["generate_id"]

_ALPHABET = string.ascii_lowercase + string.digits  # the alphabet run ids allow (init(id=...))


def generate_id(length: int = 8) -> str:
    """A random run id, as init() makes one: lowercase letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
