"""Stand-in for the ``wandb.apis`` package: ``wandb.apis.public`` is ``wanllmdb.api``."""

from __future__ import annotations

__path__: list[str] = []
