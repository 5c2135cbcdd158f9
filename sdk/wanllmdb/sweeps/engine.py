"""The sweep search engine: a pure library, no server, no state between calls.

Everything a controller needs is here; ``wanllmdb.sweeps`` re-exports it. Each call is a function of
(config, runs), so a Lambda can call it on every agent heartbeat; what a sweep has done lives only in
its runs.

    config = load_config(yaml_text_or_path_or_dict)    # validated; SweepConfigError names the YAML path
    config = parse_config(yaml_text_or_dict)            # the same, never reading a file (for servers)
    params = next_runs(config, runs, n=4)               # 4 new param sets, [] for none now, None: exhausted
    ids    = stop_runs(config, runs)                    # running runs that early_terminate stops now
    value  = run_metric(config, run, runs=runs)         # the value the search uses for one run
    argv   = expand_command(config, params, program="train.py", args_json_file=path)

Contract of ``next_runs``:
- The param sets are nested as the run's config (``{"optimizer": {"lr": 0.1}}``), constants included,
  pairwise distinct and distinct from every run given (pending and running ones included).
- ``None`` means the search is over: the grid is exhausted, an all-discrete random (or bayes) space has
  been fully used, ``run_cap`` runs exist, or a run reached ``metric.target``. ``[]`` means nothing
  now. Fewer than ``n`` means only that many were left.
- Deterministic: the same config (``seed`` included) and runs give the same answer. Without ``seed:``
  the engine derives one from the config; a controller that wants two sweeps of one config to differ
  should store a random ``seed`` in the config when it creates the sweep.
- Pass every run of the sweep, in creation order (the k-th suggestion is drawn from the k-th stream).

API changes since the first version, for callers: ``run_metric`` takes an optional keyword ``runs``
(the sweep's runs), used only by ``impute: worst``; ``parse_config`` is ``load_config`` for text a
caller sent, which it never mistakes for a file name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wanllmdb.sweeps.command import expand_command
from wanllmdb.sweeps.config import SweepConfig, SweepConfigError, load_config, parse_config
from wanllmdb.sweeps.grid import grid_next_runs
from wanllmdb.sweeps.hyperband import hyperband_stop_runs
from wanllmdb.sweeps.metric import run_metric
from wanllmdb.sweeps.random_search import random_next_runs

__all__ = [
    "RUN_STATES",
    "SweepConfig",
    "SweepConfigError",
    "SweepRun",
    "expand_command",
    "load_config",
    "next_runs",
    "parse_config",
    "run_metric",
    "stop_runs",
]

RUN_STATES = ("pending", "running", "finished", "failed", "crashed", "killed", "preempted")


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep, as the engine sees it."""

    id: str
    state: str  # one of RUN_STATES; "pending": handed out, not started
    params: dict[str, Any] = field(default_factory=dict)  # nested like the run's config
    history: tuple[float, ...] = ()  # the metric's logged values, in order (hyperband iterations = len)
    summary: float | None = None  # the run summary's value of metric.name


def _target_reached(config: SweepConfig, runs: Sequence[SweepRun]) -> bool:
    metric = config.metric
    if metric is None or metric.target is None:
        return False
    for run in runs:
        values = [v for v in (*run.history, run.summary) if v is not None and math.isfinite(v)]
        if not values:
            continue
        best = min(values) if metric.goal == "minimize" else max(values)
        if (best <= metric.target) if metric.goal == "minimize" else (best >= metric.target):
            return True
    return False


def next_runs(config: SweepConfig, runs: Sequence[SweepRun], n: int = 1) -> list[dict[str, Any]] | None:
    """Up to ``n`` new param sets for the sweep; see the module docstring for the contract."""
    if config.run_cap is not None:
        if len(runs) >= config.run_cap:
            return None
        n = min(n, config.run_cap - len(runs))
    if _target_reached(config, runs):
        return None
    if n <= 0:
        return []
    if config.method == "grid":
        return grid_next_runs(config, runs, n)
    if config.method == "random":
        return random_next_runs(config, runs, n)
    from wanllmdb.sweeps.bayes import bayes_next_runs  # numpy and scipy load only for bayes

    return bayes_next_runs(config, runs, n)


def stop_runs(config: SweepConfig, runs: Sequence[SweepRun]) -> list[str]:
    """Ids of the running runs that ``early_terminate`` stops now (in the order given)."""
    if config.early_terminate is None:
        return []
    return hyperband_stop_runs(config, runs)
