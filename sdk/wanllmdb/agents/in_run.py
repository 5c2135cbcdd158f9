"""The run's side of a sweep trial: what ``init()`` reads from its agent, and the metric tap.

An agent starts each trial with these variables (wandb's ``WANDB_*`` names are honoured too):
``WANLLMDB_SWEEP_ID``, ``WANLLMDB_RUN_ID`` (the trial's run, pre-created by the controller) and
``WANLLMDB_SWEEP_PARAM_PATH`` (the params, as wandb's config-defaults YAML). ``init()`` takes that run
id, the sweep's project and entity, and the params into ``config`` over its own defaults.

Early termination needs each trial's values of the sweep metric, with no server call per ``log()``:
the agent also exports the metric's name and a file (``WANLLMDB_SWEEP_METRIC``,
``WANLLMDB_SWEEP_METRIC_PATH``). The flusher thread appends each drained value of that key to the
file; the agent reads what is new at its next heartbeat and sends it to the controller. ``log()``
itself does nothing more.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wanllmdb.ingest.buffer import Drained

__all__ = [
    "ENTITY",
    "METRIC_NAME",
    "METRIC_PATH",
    "PARAM_PATH",
    "PROJECT",
    "RUN_ID",
    "SWEEP_ID",
    "MetricTap",
    "SweepContext",
    "first_env",
    "sweep_context",
]

log = logging.getLogger("wanllmdb")

# Ours first, then wandb's: a script started by either agent finds its trial.
SWEEP_ID = ("WANLLMDB_SWEEP_ID", "WANDB_SWEEP_ID")
RUN_ID = ("WANLLMDB_RUN_ID", "WANDB_RUN_ID")
PARAM_PATH = ("WANLLMDB_SWEEP_PARAM_PATH", "WANDB_SWEEP_PARAM_PATH")
PROJECT = ("WANLLMDB_PROJECT", "WANDB_PROJECT")
ENTITY = ("WANLLMDB_ENTITY", "WANDB_ENTITY")
METRIC_NAME = ("WANLLMDB_SWEEP_METRIC",)
METRIC_PATH = ("WANLLMDB_SWEEP_METRIC_PATH",)


def first_env(names: tuple[str, ...], environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    for name in names:
        value = env.get(name)
        if value:
            return value
    return None


class MetricTap:
    """Called by the flusher with each drained history buffer: appends the values of one key to a file,
    one per line, in logging order. Never raises: a full disk costs early termination, not the run."""

    def __init__(self, key: str, path: Path) -> None:
        self.key = key
        self.path = path

    def __call__(self, drained: Drained) -> None:
        column = drained.columns.get(self.key)
        if column is None:
            return
        try:
            with self.path.open("a", encoding="utf-8") as out:
                out.write("".join(f"{value!r}\n" for value in column[1]))
        except OSError as exc:
            log.warning("wanllmdb: sweep metric not written to %s (%s)", self.path, exc)


@dataclass(frozen=True)
class SweepContext:
    """What a trial's ``init()`` takes from its agent."""

    sweep_id: str
    run_id: str | None
    project: str | None
    entity: str | None
    params: dict[str, Any] = field(default_factory=dict)
    metric_name: str | None = None
    metric_path: Path | None = None

    def tap(self) -> MetricTap | None:
        if self.metric_name and self.metric_path is not None:
            return MetricTap(self.metric_name, self.metric_path)
        return None


def sweep_context(environ: Mapping[str, str] | None = None) -> SweepContext | None:
    """The trial this process runs, or None outside a sweep. A params file that cannot be read is
    reported and left out: the run still starts, with init()'s own config."""
    sweep_id = first_env(SWEEP_ID, environ)
    if not sweep_id:
        return None
    params: dict[str, Any] = {}
    param_path = first_env(PARAM_PATH, environ)
    if param_path:
        from wanllmdb.config import load_config_source

        try:
            params = load_config_source(param_path)
        except Exception as exc:
            from wanllmdb.termlog import termwarn

            termwarn(f"sweep params file {param_path} not read ({exc}); config keeps init()'s values")
    metric_path = first_env(METRIC_PATH, environ)
    return SweepContext(
        sweep_id=sweep_id,
        run_id=first_env(RUN_ID, environ),
        project=first_env(PROJECT, environ),
        entity=first_env(ENTITY, environ),
        params=params,
        metric_name=first_env(METRIC_NAME, environ),
        metric_path=Path(metric_path) if metric_path else None,
    )
