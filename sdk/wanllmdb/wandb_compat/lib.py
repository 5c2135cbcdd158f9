"""Stand-in for the names third-party code imports from ``wandb.sdk.lib``,
``wandb.sdk.lib.config_util`` and ``wandb.sdk.data_types.base_types.wb_value``."""

from __future__ import annotations

from wanllmdb.data_types.base import Media
from wanllmdb.errors import ConfigChangeError

__all__ = ["ConfigError", "RunDisabled", "SummaryDisabled", "WBValue"]

# Stands for wandb packages, whose submodules (config_util, wb_value) resolve here too.
__path__: list[str] = []

# What wandb raises when a config value changes without allow_val_change (HF's callback catches it).
ConfigError = ConfigChangeError

# The base class of every loggable media object (Ray checks isinstance(value, WBValue)).
WBValue = Media


class RunDisabled:
    """wandb's compatibility class: ``init(mode="disabled")`` returns a ``Run`` in wandb >= 0.19, as it
    does here; integrations still name this class in ``isinstance`` checks."""


class SummaryDisabled(dict[str, object]):
    """wandb's summary of a disabled run, kept for the same ``isinstance`` checks."""
