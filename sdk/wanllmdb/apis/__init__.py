"""``wanllmdb.apis``: what ``wandb.apis`` holds. ``reports`` builds and publishes reports;
``public`` is the query API (``wanllmdb.api``), under wandb's name."""

from __future__ import annotations

from wanllmdb import api as public
from wanllmdb.apis import reports

__all__ = ["public", "reports"]
