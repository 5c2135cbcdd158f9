"""wanLLMDB: experiment tracking on an open Parquet lake, a drop-in for the wandb API.

``import wanllmdb as wandb`` keeps common scripts working: ``init``, ``log``, ``config``, ``summary``,
``define_metric``, ``save``, ``finish`` and ``run`` behave as they do in wandb.
"""

from __future__ import annotations

__version__ = "0.1.0"

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wanllmdb.api import Api
from wanllmdb.config import Config, PreInitConfig
from wanllmdb.errors import (
    ConfigChangeError,
    InvalidValue,
    NotYetSupported,
    ServerRefused,
    UsageError,
    WanllmdbError,
)
from wanllmdb.run import Run
from wanllmdb.session import init
from wanllmdb.settings import Settings
from wanllmdb.summary import MetricRule, Summary

__all__ = [
    "Api",
    "Config",
    "ConfigChangeError",
    "InvalidValue",
    "MetricRule",
    "NotYetSupported",
    "Run",
    "ServerRefused",
    "Settings",
    "Summary",
    "UsageError",
    "WanllmdbError",
    "__version__",
    "config",
    "define_metric",
    "finish",
    "init",
    "log",
    "run",
    "save",
    "summary",
]

# Replaced by init() and reset by finish(), like wandb.run / wandb.config / wandb.summary.
run: Run | None = None
config: Config | Any = PreInitConfig()
summary: Summary | None = None


def _active() -> Run:
    if run is None:
        raise UsageError("no active run: call wanllmdb.init() first")
    return run


def log(data: Mapping[str, Any] | None = None, step: int | None = None, commit: bool | None = None) -> None:
    _active().log(data, step=step, commit=commit)


def define_metric(
    name: str,
    step_metric: str | None = None,
    step_sync: bool | None = None,
    summary: str | None = None,
    goal: str | None = None,
    hidden: bool = False,
) -> MetricRule:
    return _active().define_metric(
        name, step_metric=step_metric, step_sync=step_sync, summary=summary, goal=goal, hidden=hidden
    )


def save(glob_str: str | Path, base_path: str | Path | None = None, policy: str = "live") -> list[str]:
    return _active().save(glob_str, base_path=base_path, policy=policy)


def finish(exit_code: int | None = None) -> None:
    if run is not None:
        run.finish(exit_code=exit_code)
