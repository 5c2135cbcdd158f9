"""Stand-in for the ``wandb.sdk`` package: its submodules (``wandb.sdk.lib``, ``wandb.sdk.data_types``,
``wandb.sdk.wandb_run``) resolve through ``wanllmdb.wandb_compat.WandbFinder``."""

from __future__ import annotations

__path__: list[str] = []
