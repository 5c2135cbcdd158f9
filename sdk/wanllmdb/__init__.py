"""wanLLMDB: experiment tracking on an open Parquet lake, a drop-in for the wandb API.

``import wanllmdb as wandb`` keeps common scripts working: ``init``, ``log``, ``config``, ``summary``,
``define_metric``, ``save``, ``finish`` and ``run`` behave as they do in wandb. README, "wandb
compatibility", lists every name and how far it goes.
"""

from __future__ import annotations

__version__ = "0.1.0"

import os as _os
import sys as _sys

# Arrow's default allocator (mimalloc) reserves ~10 MB more than the system allocator for the few MB
# of chunk encoding the SDK does in a training process (benchmarks/sdk_log.py: 103 MB peak against
# 93 MB for 100k steps x 10 scalars). Chosen only where nobody chose: not when the variable is set,
# and not when pyarrow is already imported (its pool is fixed by then). docs/sdk.md says how to opt out.
if "pyarrow" not in _sys.modules:
    _os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanllmdb import data_types, errors, plot, util
from wanllmdb.alerts import AlertLevel
from wanllmdb.artifacts import Artifact, ArtifactTTL
from wanllmdb.config import Config, PreInitConfig
from wanllmdb.data_types import Audio, Histogram, Html, Image, Object3D, Plotly, Table, Video
from wanllmdb.errors import (
    AuthenticationError,
    CommError,
    ConfigChangeError,
    Error,
    InvalidValue,
    NotAvailableYet,
    NotYetSupported,
    ServerRefused,
    UsageError,
    WanllmdbError,
)
from wanllmdb.lifecycle import login, require, setup, teardown
from wanllmdb.plot import plot_table
from wanllmdb.rest import ApiError
from wanllmdb.run import Run
from wanllmdb.session import init
from wanllmdb.settings import Settings
from wanllmdb.summary import MetricRule, Summary
from wanllmdb.termlog import quieted, termerror, termlog, termwarn

__all__ = [
    "AlertLevel",
    "Api",
    "ApiError",
    "Artifact",
    "ArtifactTTL",
    "Audio",
    "AuthenticationError",
    "CommError",
    "Config",
    "ConfigChangeError",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "InvalidValue",
    "MetricRule",
    "NotAvailableYet",
    "NotYetSupported",
    "Object3D",
    "Plotly",
    "Run",
    "ServerRefused",
    "Settings",
    "Summary",
    "Table",
    "UsageError",
    "Video",
    "WanllmdbError",
    "__version__",
    "agent",
    "alert",
    "config",
    "data_types",
    "define_metric",
    "ensure_configured",
    "errors",
    "finish",
    "init",
    "log",
    "log_artifact",
    "log_code",
    "login",
    "mark_preempting",
    "plot",
    "plot_table",
    "require",
    "run",
    "save",
    "setup",
    "summary",
    "sweep",
    "teardown",
    "termerror",
    "termlog",
    "termwarn",
    "unwatch",
    "use_artifact",
    "util",
    "watch",
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


def log_code(root: str | Path | None = ".", name: str | None = None, **filters: Any) -> list[str]:
    return _active().log_code(root, name, **filters)


def mark_preempting() -> None:
    _active().mark_preempting()


def watch(
    models: Any,
    criterion: Any = None,
    log: str | None = "gradients",
    log_freq: int = 1000,
    idx: int | None = None,
    log_graph: bool = False,
    log_activations: bool = False,
) -> None:
    """Histogram a PyTorch model's gradients and/or parameters every ``log_freq`` calls (``run.watch``)."""
    _active().watch(
        models,
        criterion=criterion,
        log=log,
        log_freq=log_freq,
        idx=idx,
        log_graph=log_graph,
        log_activations=log_activations,
    )


def unwatch(models: Any = None) -> None:
    """Remove watch()'s hooks from ``models`` (all watched models when None)."""
    _active().unwatch(models)


def ensure_configured() -> None:
    """wandb's call to load its settings before reading them (Ray calls it before ``api.api_key``):
    here settings are read on each use, so this only checks them; a bad ``WANLLMDB_*`` value raises."""
    Settings.resolve()


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the active run; ``quiet`` (wandb's) hides the upload note and progress bar of this call."""
    if run is None:
        return
    if quiet:
        with quieted():
            run.finish(exit_code=exit_code)
    else:
        run.finish(exit_code=exit_code)


def log_artifact(
    artifact_or_path: Artifact | str | Path,
    name: str | None = None,
    type: str | None = None,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
) -> Artifact:
    """Log an artifact as the active run's output (``run.log_artifact``); returns at once."""
    return _active().log_artifact(artifact_or_path, name=name, type=type, aliases=aliases, tags=tags)


def use_artifact(
    artifact_or_name: Artifact | str,
    type: str | None = None,
    aliases: list[str] | None = None,
    use_as: str | None = None,
) -> Artifact:
    """Use `name:alias` in the active run (``run.use_artifact``): lineage, and the artifact to download."""
    return _active().use_artifact(artifact_or_name, type=type, aliases=aliases, use_as=use_as)


def alert(title: str, text: str, level: str | AlertLevel | None = None, wait_duration: Any = None) -> None:
    """wandb.alert: an alert from the active run to its project's subscribers (see Run.alert)."""
    _active().alert(title, text, level=level, wait_duration=wait_duration)


def sweep(
    sweep: Mapping[str, Any] | str | Path,
    entity: str | None = None,
    project: str | None = None,
    prior_runs: list[str] | None = None,
) -> str:
    """Create a sweep from wandb's sweep config (a dict or a YAML path); returns its id (wandb.sweep)."""
    from wanllmdb.agents.api import sweep as create_sweep

    return create_sweep(sweep, entity=entity, project=project, prior_runs=prior_runs)


def agent(
    sweep_id: str,
    function: Any = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
) -> None:
    """Run trials of a sweep here (wandb.agent): ``function`` per trial in a thread, else the sweep's
    ``command`` as a child process, until the sweep ends or ``count`` trials ran."""
    from wanllmdb.agents.api import agent as run

    run(sweep_id, function=function, entity=entity, project=project, count=count)


if TYPE_CHECKING:
    from wanllmdb.api import Api


# wandb.sklearn, wandb.xgboost, wandb.keras, wandb.gym, ...: each imports its framework, so each loads
# on first use. Not in __all__: `from wanllmdb import *` must not need every framework installed.
_INTEGRATIONS = frozenset({"sklearn", "xgboost", "lightgbm", "catboost", "keras", "gym"})


def __getattr__(name: str) -> Any:
    # Api() reads the lake with pyarrow and httpx: loaded on first use, so that a training script's
    # `import wanllmdb` loads neither (they were ~65 MB of its memory).
    if name == "Api":
        from wanllmdb.api import Api

        return Api
    if name == "api":  # wandb.api.api_key (Ray's setup_wandb reads it): the package, on first use
        import wanllmdb.api

        return wanllmdb.api
    if name in _INTEGRATIONS:
        import importlib

        return importlib.import_module(f"wanllmdb.integration.{name}")
    raise AttributeError(f"module 'wanllmdb' has no attribute {name!r}")
