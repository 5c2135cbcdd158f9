"""Bayesian search (placeholder: random draws until the GP lands in the next commit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wanllmdb.sweeps.random_search import random_next_runs

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import SweepConfig
    from wanllmdb.sweeps.engine import SweepRun

__all__ = ["bayes_next_runs"]


def bayes_next_runs(config: SweepConfig, runs: Sequence[SweepRun], n: int) -> list[dict[str, Any]] | None:
    return random_next_runs(config, runs, n)
