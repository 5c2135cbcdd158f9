"""Stand-in for ``wandb.env``: setters of wandb's environment variables, which configure wanllmdb under the
alias (``wanllmdb.settings.read_wandb_environment``). Hugging Face's sweep runner calls them."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

__all__ = ["API_KEY", "BASE_URL", "ENTITY", "MODE", "PROJECT", "get_project", "set_entity", "set_project"]

API_KEY = "WANDB_API_KEY"
BASE_URL = "WANDB_BASE_URL"
ENTITY = "WANDB_ENTITY"
MODE = "WANDB_MODE"
PROJECT = "WANDB_PROJECT"


def set_entity(value: str, env: MutableMapping[str, str] | None = None) -> None:
    (os.environ if env is None else env)[ENTITY] = value


def set_project(value: str, env: MutableMapping[str, str] | None = None) -> None:
    (os.environ if env is None else env)[PROJECT] = value or "uncategorized"


def get_project(default: str | None = None, env: MutableMapping[str, str] | None = None) -> str | None:
    return (os.environ if env is None else env).get(PROJECT, default)
