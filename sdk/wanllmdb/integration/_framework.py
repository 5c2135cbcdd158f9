"""What the framework integrations share.

- ``require_framework``: import the framework at the integration's import, or raise
  ``FrameworkMissing`` naming the extra that installs it, or ``FrameworkVersionUnsupported`` naming the
  versions we support (both are ``ImportError``s, as wandb's integrations raise when the import fails).
- ``active_run``: the run a callback logs to, ``wanllmdb.run`` as wandb's integrations use ``wandb.run``.
- ``metric_goal``: the ``define_metric`` summary (``min``/``max``) a framework's metric name implies.
- ``log_model_file``: a model saved to a file and logged as a ``model`` artifact through the core SDK's
  ``log_artifact``: hashing and upload run on its thread, offline runs spool it for ``wanllmdb sync``,
  and a server that cannot be reached is a warning, never an exception out of the training loop.
"""

from __future__ import annotations

import importlib
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import wanllmdb
from wanllmdb.errors import CommError, FrameworkMissing, FrameworkVersionUnsupported, UsageError
from wanllmdb.termlog import termwarn

if TYPE_CHECKING:
    from wanllmdb.artifacts import Artifact
    from wanllmdb.run import Run

__all__ = [
    "Supported",
    "active_run",
    "config_values",
    "log_model_file",
    "metric_goal",
    "release",
    "require_framework",
]


@dataclass(frozen=True)
class Supported:
    """A range of framework releases: ``low`` included, ``below`` excluded (``>=2.0,<4``)."""

    low: tuple[int, ...]
    below: tuple[int, ...]

    def __contains__(self, version: tuple[int, ...]) -> bool:
        return self.low <= version < self.below

    def __str__(self) -> str:
        return f">={'.'.join(map(str, self.low))},<{'.'.join(map(str, self.below))}"


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"3.2.0rc1"`` -> ``(3, 2, 0)``; ``()`` when there is none."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip().lstrip("v"))
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def require_framework(
    module: str, *, integration: str, extra: str, supported: Supported, name: str | None = None
) -> ModuleType:
    """Import ``module`` for ``wanllmdb.integration.<integration>``, or say how to get a supported version."""
    framework = name or module
    try:
        imported = importlib.import_module(module)
    except ImportError as exc:
        raise FrameworkMissing(integration, framework, extra) from exc
    version = str(getattr(imported, "__version__", ""))
    if release(version) not in supported:
        raise FrameworkVersionUnsupported(
            integration, framework, version or "(unknown)", str(supported), extra
        )
    return imported


def active_run(who: str) -> Run:
    """The active run, or wandb's complaint that ``init()`` has to come first."""
    run = wanllmdb.run
    if run is None:
        raise UsageError(f"call wanllmdb.init() before {who}")
    return run


def config_values(params: dict[str, Any]) -> dict[str, Any]:
    """A framework's parameters as config values: numbers, strings, lists and dicts as they are, numpy
    scalars as numbers, anything else (a custom objective function, a class) as its ``str``, so that
    logging parameters never raises out of a training call."""

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
            return plain(value.item())
        return str(value)

    return {str(k): plain(v) for k, v in params.items()}


def metric_goal(metric: str, minimize: Iterable[str], maximize: Iterable[str]) -> str | None:
    """wandb's rule: a name with "loss" in it, or a known error metric, is minimized; a known score is
    maximized; anything else gets no summary rule (its summary stays the last value)."""
    lowered = metric.lower()
    if "loss" in lowered or lowered in minimize:
        return "min"
    if lowered in maximize:
        return "max"
    return None


def log_model_file(
    run: Run,
    save: Callable[[Path], Any],
    filename: str,
    artifact_name: str,
    aliases: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Artifact | None:
    """``save(path)`` writes the model; it is logged as a ``model`` artifact, and returned (None when the
    run is disabled or the server could not be reached, which is warned about). ``filename`` may name a
    subfolder (``ckpt-3/model.ckpt``), which ``save`` creates: the artifact's file is its last part."""
    from wanllmdb.artifacts import Artifact

    if run.mode == "disabled":
        return None
    # Under the run's own folder (nothing there scans "models/"), so the file outlives this call: the
    # upload (or the offline spool) reads it later, on the SDK's thread.
    folder = Path(run.dir) / "models" if run.dir is not None else Path(tempfile.mkdtemp(prefix="wanllmdb-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    save(path)
    artifact = Artifact(artifact_name, type="model", metadata=metadata)
    artifact.add_file(str(path))
    try:
        return run.log_artifact(artifact, aliases=aliases)
    except CommError as exc:
        termwarn(f"model {artifact_name} was not logged, the server could not be reached: {exc}")
        return None
