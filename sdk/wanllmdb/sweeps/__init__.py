"""Sweeps: the search engine (grid, random, bayes, hyperband) behind ``wanllmdb sweep`` and agents.

``wanllmdb.sweeps.engine`` holds the API and its contract; docs/sweeps.md explains the config.
"""

from __future__ import annotations

from wanllmdb.sweeps.engine import (
    RUN_STATES,
    SweepConfig,
    SweepConfigError,
    SweepRun,
    expand_command,
    load_config,
    next_runs,
    parse_config,
    run_metric,
    stop_runs,
)

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
